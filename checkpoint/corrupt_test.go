package checkpoint_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/zeebo/xxh3"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/memstore"
)

// rawFrame stores v under key and returns the driver and the stored frame.
func rawFrame(t *testing.T, compression checkpoint.Compression, v any) (*checkpoint.Store, *memstore.Driver, []byte) {
	t.Helper()
	ctx := context.Background()
	d := memstore.New(nil)
	s := checkpoint.New(d, &checkpoint.Options{Compression: compression})
	t.Cleanup(func() { s.Close() })
	if _, err := s.Put(ctx, "k", v, checkpoint.Meta{Thunk: "t", Func: "f", Version: "1", Run: "r"}); err != nil {
		t.Fatal(err)
	}
	b, err := d.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	return s, d, b
}

// wantCorrupt stores b raw under "k" and checks that Get and Verify report
// it as corrupt, and that Get returns no value.
func wantCorrupt(t *testing.T, s *checkpoint.Store, d *memstore.Driver, b []byte, what string) {
	t.Helper()
	ctx := context.Background()
	if err := d.Put(ctx, "k", bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	v, _, err := s.Get(ctx, "k", nil)
	var ce *checkpoint.CorruptError
	if !errors.Is(err, checkpoint.ErrCorrupt) || !errors.As(err, &ce) || ce.Key != "k" || v != nil {
		t.Fatalf("%s: Get = %v, %v; want a *CorruptError for key k and no value", what, v, err)
	}
	if err := s.Verify(ctx, "k"); !errors.Is(err, checkpoint.ErrCorrupt) {
		t.Fatalf("%s: Verify = %v, want ErrCorrupt", what, err)
	}
}

func TestEveryCorruptionDetected(t *testing.T) {
	for _, c := range []struct {
		name string
		comp checkpoint.Compression
		v    any
	}{
		{"raw", checkpoint.CompressionNone, []float64{1, 2, 3}},
		{"zstd", checkpoint.CompressionZstd, make([]float64, 64)},
		{"scalar", checkpoint.CompressionNone, 2.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, d, frame := rawFrame(t, c.comp, c.v)
			for i := range frame {
				for _, mask := range []byte{0x01, 0x80, 0xff} {
					b := bytes.Clone(frame)
					b[i] ^= mask
					wantCorrupt(t, s, d, b, "byte "+itoa(i)+" flipped")
				}
			}
			for n := range len(frame) {
				wantCorrupt(t, s, d, frame[:n:n], "truncated to "+itoa(n))
			}
			wantCorrupt(t, s, d, append(bytes.Clone(frame), 0), "one byte appended")
			wantCorrupt(t, s, d, append(bytes.Clone(frame), frame...), "written twice")
		})
	}
}

func TestUnknownVersion(t *testing.T) {
	s, d, frame := rawFrame(t, checkpoint.CompressionNone, 1.0)
	b := bytes.Clone(frame)
	b[4] = 9
	// Recompute the header checksum, as a newer writer would have.
	metaLen := binary.LittleEndian.Uint32(b[8:])
	h := xxh3.New()
	h.Write(b[:40])
	h.Write(b[48 : 48+metaLen])
	binary.LittleEndian.PutUint64(b[40:], h.Sum64())
	wantCorrupt(t, s, d, b, "version 9")
	_, _, err := s.Get(context.Background(), "k", nil)
	if !errors.Is(err, checkpoint.ErrUnknownVersion) || !strings.Contains(err.Error(), "version 9") {
		t.Fatalf("Get of a version 9 frame = %v, want ErrUnknownVersion naming version 9", err)
	}
}

func TestFrameUnderWrongKey(t *testing.T) {
	ctx := context.Background()
	s, d, frame := rawFrame(t, checkpoint.CompressionNone, 1.0)
	if err := d.Put(ctx, "other", bytes.NewReader(frame), int64(len(frame))); err != nil {
		t.Fatal(err)
	}
	if v, _, err := s.Get(ctx, "other", nil); !errors.Is(err, checkpoint.ErrCorrupt) || v != nil {
		t.Fatalf("Get of a frame moved to another key = %v, %v; want ErrCorrupt", v, err)
	}
}

func TestStatSkipsPayloadVerifyChecksIt(t *testing.T) {
	ctx := context.Background()
	s, d, frame := rawFrame(t, checkpoint.CompressionNone, make([]float64, 2048)) // 16 KiB
	b := bytes.Clone(frame)
	b[len(b)-1] ^= 1
	if err := d.Put(ctx, "k", bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	info, err := s.Stat(ctx, "k")
	if err != nil || info.Thunk != "t" || info.Size != int64(len(b)) {
		t.Fatalf("Stat of a frame with a damaged payload = %+v, %v; want its header (Stat reads no payload)", info, err)
	}
	if err := s.Verify(ctx, "k"); !errors.Is(err, checkpoint.ErrCorrupt) {
		t.Fatalf("Verify = %v, want ErrCorrupt", err)
	}
	var got []checkpoint.Info
	s.Put(ctx, "good", 1.0, checkpoint.Meta{})
	d.Put(ctx, "bad", bytes.NewReader(b[:100]), 100)
	if err := s.List(ctx, "", func(i checkpoint.Info) error { got = append(got, i); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, i := range got {
		if bad := i.Key == "bad"; bad != errors.Is(i.Err, checkpoint.ErrCorrupt) {
			t.Errorf("List Info for %q has Err %v", i.Key, i.Err)
		}
	}
	if len(got) != 3 {
		t.Errorf("List gave %d entries, want 3", len(got))
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
