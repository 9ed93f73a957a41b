package checkpoint_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/memstore"
)

// TestStoreURL checks that a Store opened by URL gives that URL back, with
// its query parameters, and that a Store opened from it (as a worker
// process would open it) is the same store, with the same options; that
// mem:// gives a new, empty store each time; and that a Store made by New
// has no URL.
func TestStoreURL(t *testing.T) {
	ctx := context.Background()
	url := "file://" + t.TempDir() + "?fsync=false&compression=zstd"
	s := openURL(t, url)
	if got := s.URL(); got != url {
		t.Fatalf("URL() = %q, want %q", got, url)
	}
	if _, err := s.Put(ctx, "k", make([]float64, 512), checkpoint.Meta{}); err != nil {
		t.Fatal(err)
	}
	w := openURL(t, s.URL())
	if v, _, err := w.Get(ctx, "k", nil); err != nil || len(v.([]float64)) != 512 {
		t.Fatalf("a Store opened from URL() reads k = %v, %v; want the first Store's entry", v, err)
	}
	if info, err := w.Put(ctx, "j", make([]float64, 512), checkpoint.Meta{}); err != nil || !info.Compressed {
		t.Fatalf("a Store opened from URL() puts %+v, %v; want compression=zstd kept", info, err)
	}

	mem := openURL(t, "mem://?budget=1MiB")
	if got := mem.URL(); got != "mem://?budget=1MiB" {
		t.Fatalf("URL() = %q, want mem://?budget=1MiB", got)
	}
	if _, err := mem.Put(ctx, "k", 1.0, checkpoint.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := openURL(t, mem.URL()).Get(ctx, "k", nil); !errors.Is(err, checkpoint.ErrNotFound) {
		t.Fatalf("a second mem:// Store reads k: %v; want a new, empty store", err)
	}

	if got := checkpoint.New(memstore.New(nil), nil).URL(); got != "" {
		t.Fatalf("URL() of a Store made by New = %q, want \"\"", got)
	}
}

func openURL(t *testing.T, url string) *checkpoint.Store {
	t.Helper()
	s, err := checkpoint.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
