package sqlstore_test

import (
	"context"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
)

// TestStoreURL checks that a Store opened by a sqlite:// URL gives it back,
// and that a Store opened from it (as a worker process would) reads what the
// first one wrote.
func TestStoreURL(t *testing.T) {
	ctx := context.Background()
	url := "sqlite://" + t.TempDir() + "/ckpt.db"
	s, err := checkpoint.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.URL(); got != url {
		t.Fatalf("URL() = %q, want %q", got, url)
	}
	if _, err := s.Put(ctx, "k", 2.5, checkpoint.Meta{}); err != nil {
		t.Fatal(err)
	}
	w, err := checkpoint.Open(ctx, s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if v, _, err := w.Get(ctx, "k", nil); err != nil || v != 2.5 {
		t.Fatalf("a Store opened from URL() reads k = %v, %v; want 2.5", v, err)
	}
}
