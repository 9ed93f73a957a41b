package cluster

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/codec"
)

func TestDataPlane(t *testing.T) {
	ctx := context.Background()
	st := newChunkStore(t.TempDir(), 16<<20) // the second big value spills the first
	put := func(n int) (uint64, []float64, int64) {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(i)
		}
		id, data, err := codec.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		k, err := st.put(v, id, data)
		if err != nil {
			t.Fatal(err)
		}
		return k, v, int64(len(data))
	}
	lazy := func(n int) (uint64, []float64, int64) {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(-i)
		}
		k, err := st.putLazy(v, codec.SizeHint(v))
		if err != nil {
			t.Fatal(err)
		}
		return k, v, int64(8 * n)
	}
	lz, vl, sl := lazy(splitAt/8 + 3) // kept unencoded, spilled (encoded then) by what follows
	small, vs, ss := put(1000)
	big, vb, sb := put(splitAt/8 + 12345) // fetched in ranges; spilled below
	big2, vb2, sb2 := put(splitAt / 8 * 2)
	lz2, vl2, sl2 := lazy(1 << 10) // kept unencoded: encoded when served
	if _, _, spilled := st.stats(); spilled == 0 {
		t.Fatal("nothing spilled: the test wants a value served from its file")
	}
	srv, err := serveData("127.0.0.1", st, func() string { return "secret" })
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	f := newFetcher()
	for _, c := range []struct {
		n    uint64
		want []float64
		size int64
	}{{small, vs, ss}, {big, vb, sb}, {big2, vb2, sb2}, {big, vb, 0}, {lz, vl, sl}, {lz2, vl2, sl2}} {
		v, got, err := f.fetch(ctx, srv.addr(), c.n, c.size, "secret")
		if err != nil {
			t.Fatalf("chunk %d: %v", c.n, err)
		}
		if !slices.Equal(v.([]float64), c.want) || got != int64(len(c.want)*8) {
			t.Fatalf("chunk %d: wrong value (%d bytes)", c.n, got)
		}
	}
	// Unknown chunks are gone; a wrong secret is refused, not "gone".
	if _, _, err := f.fetch(ctx, srv.addr(), 999, 0, "secret"); !errors.Is(err, errGone) {
		t.Fatalf("unknown chunk: %v", err)
	}
	if _, _, err := f.fetch(ctx, srv.addr(), small, 0, "wrong"); err == nil || errors.Is(err, errGone) || !strings.Contains(err.Error(), "secret") {
		t.Fatalf("wrong secret: %v", err)
	}
	// A holder that does not answer: gone.
	srv.close()
	if _, _, err := f.fetch(ctx, srv.addr(), small, 0, "secret"); !errors.Is(err, errGone) {
		t.Fatalf("closed server: %v", err)
	}
}

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		h        string
		off, len int64
		ok       bool
	}{{"bytes=0-9", 0, 10, true}, {"bytes=5-5", 5, 1, true}, {"bytes=5-10", 0, 0, false},
		{"bytes=-1-3", 0, 0, false}, {"bytes=4-2", 0, 0, false}, {"lines=0-1", 0, 0, false}, {"bytes=x-y", 0, 0, false}} {
		off, n, err := parseRange(c.h, 10)
		if (err == nil) != c.ok || off != c.off || n != c.len {
			t.Errorf("%q: %d, %d, %v", c.h, off, n, err)
		}
	}
	_ = http.StatusOK
}
