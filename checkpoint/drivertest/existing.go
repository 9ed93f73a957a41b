package drivertest

import (
	"context"
	"errors"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
)

// RunOpenExisting checks that a driver honours create=false. rawURL must
// name a store that does not exist yet; absent reports whether the driver
// left nothing where the store would be (no directory, no file, no
// bucket), and is called after each step that must not create it.
//
// checkpoint.OpenExisting of rawURL must fail with an error matching
// checkpoint.ErrNoStore that names the URL, and create nothing;
// checkpoint.Open must then create the store, and OpenExisting open it
// again and find what was written.
func RunOpenExisting(t *testing.T, rawURL string, absent func() bool) {
	t.Helper()
	ctx := context.Background()
	if !absent() {
		t.Fatalf("RunOpenExisting(%s): the store exists before the test", rawURL)
	}
	s, err := checkpoint.OpenExisting(ctx, rawURL)
	if err == nil {
		s.Close()
		t.Fatalf("OpenExisting(%s) of a store that does not exist succeeded", rawURL)
	}
	var nse *checkpoint.NoStoreError
	if !errors.Is(err, checkpoint.ErrNoStore) || !errors.As(err, &nse) || nse.URL == "" || nse.Reason == "" {
		t.Fatalf("OpenExisting(%s) = %v, want a *checkpoint.NoStoreError naming the URL and the reason", rawURL, err)
	}
	if !absent() {
		t.Fatalf("OpenExisting(%s) failed but created the store", rawURL)
	}
	s, err = checkpoint.Open(ctx, rawURL)
	if err != nil {
		t.Fatalf("Open(%s): %v", rawURL, err)
	}
	if _, err := s.Put(ctx, "k", 42.0, checkpoint.Meta{}); err != nil {
		t.Fatalf("Put into %s: %v", rawURL, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close of %s: %v", rawURL, err)
	}
	s, err = checkpoint.OpenExisting(ctx, rawURL)
	if err != nil {
		t.Fatalf("OpenExisting(%s) of the store Open created: %v", rawURL, err)
	}
	defer s.Close()
	if v, _, err := s.Get(ctx, "k", nil); err != nil || v != 42.0 {
		t.Fatalf("Get from the existing store = %v, %v; want 42", v, err)
	}
}

// RunNeverExisting checks a URL of a store that lives in one process only
// (mem://): checkpoint.OpenExisting must fail with an error matching
// checkpoint.ErrNoStore, since no earlier store can be found there.
func RunNeverExisting(t *testing.T, rawURL string) {
	t.Helper()
	s, err := checkpoint.OpenExisting(context.Background(), rawURL)
	if err == nil {
		s.Close()
		t.Fatalf("OpenExisting(%s) succeeded; a store of this scheme never exists before it is opened", rawURL)
	}
	if !errors.Is(err, checkpoint.ErrNoStore) {
		t.Fatalf("OpenExisting(%s) = %v, want an error matching checkpoint.ErrNoStore", rawURL, err)
	}
}
