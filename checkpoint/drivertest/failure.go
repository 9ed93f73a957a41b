package drivertest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// failingReader yields n bytes of b and then fails with err.
type failingReader struct {
	b   []byte
	n   int
	err error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	k := copy(p[:min(len(p), r.n)], r.b)
	r.b, r.n = r.b[k:], r.n-k
	return k, nil
}

func testFailedPut(t *testing.T, d driver.Driver) {
	ctx := context.Background()
	old := []byte("the old value")
	put(t, d, "k", old)
	next := randomBytes(256<<10, 2)
	boom := errors.New("reader broke")

	cases := []struct {
		name string
		r    io.Reader
		size int64
	}{
		{"reader error", &failingReader{b: next, n: len(next) / 2, err: boom}, int64(len(next))},
		{"short reader", bytes.NewReader(next[:len(next)/2]), int64(len(next))},
		{"long reader", bytes.NewReader(next), int64(len(next) / 2)},
	}
	for _, c := range cases {
		if err := d.Put(ctx, "k", c.r, c.size); err == nil {
			t.Errorf("Put with a %s succeeded, want an error", c.name)
		}
		wantValue(t, d, "k", old)
		if err := d.Put(ctx, "fresh", c.r, c.size); err == nil {
			t.Errorf("Put of a new key with a %s succeeded, want an error", c.name)
		}
		wantAbsent(t, d, "fresh")
	}
	if got := listKeys(t, d, ""); len(got) != 1 || got[0] != "k" {
		t.Fatalf("List after failed Puts = %q, want [k]", got)
	}
}

func testContext(t *testing.T, d driver.Driver) {
	put(t, d, "k", []byte("old"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if err := d.Put(ctx, "k", bytes.NewReader([]byte("new")), 3); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a canceled context = %v, want context.Canceled", err)
	}
	if err := d.Put(ctx, "other", bytes.NewReader([]byte("new")), 3); !errors.Is(err, context.Canceled) {
		t.Errorf("Put of a new key with a canceled context = %v, want context.Canceled", err)
	}
	if _, err := d.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a canceled context = %v, want context.Canceled", err)
	}
	if _, err := d.Stat(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Stat with a canceled context = %v, want context.Canceled", err)
	}
	if err := d.Delete(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete with a canceled context = %v, want context.Canceled", err)
	}
	called := false
	err := d.List(ctx, "", func(driver.Attrs) error { called = true; return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("List with a canceled context = %v, want context.Canceled", err)
	}
	if called {
		t.Errorf("List with a canceled context called fn")
	}
	wantValue(t, d, "k", []byte("old"))
	wantAbsent(t, d, "other")

	// A context canceled while Put reads its value fails the Put and
	// leaves the old entry.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	big := randomBytes(1<<20, 3)
	r := &cancelingReader{r: bytes.NewReader(big), after: len(big) / 2, cancel: cancel2, ctx: ctx2}
	if err := d.Put(ctx2, "k", r, int64(len(big))); err == nil {
		t.Errorf("Put whose context was canceled while reading succeeded, want an error")
	}
	wantValue(t, d, "k", []byte("old"))
}

// cancelingReader cancels its context once it has yielded after bytes, and
// fails with the context's error from then on.
type cancelingReader struct {
	r      io.Reader
	after  int
	cancel context.CancelFunc
	ctx    context.Context
}

func (r *cancelingReader) Read(p []byte) (int, error) {
	if r.after <= 0 {
		r.cancel()
		return 0, r.ctx.Err()
	}
	n, err := r.r.Read(p[:min(len(p), r.after)])
	r.after -= n
	return n, err
}

func testClose(t *testing.T, d driver.Driver) {
	ctx := context.Background()
	put(t, d, "k", []byte("v"))
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := d.Put(ctx, "k2", bytes.NewReader([]byte("v")), 1); err == nil {
		t.Error("Put after Close succeeded, want an error")
	}
	if _, err := d.Get(ctx, "k"); err == nil {
		t.Error("Get after Close succeeded, want an error")
	}
	if _, err := d.Stat(ctx, "k"); err == nil {
		t.Error("Stat after Close succeeded, want an error")
	}
	if err := d.List(ctx, "", func(driver.Attrs) error { return nil }); err == nil {
		t.Error("List after Close succeeded, want an error")
	}
	_ = d.Close() // a second Close must not panic; its error is the driver's choice
}
