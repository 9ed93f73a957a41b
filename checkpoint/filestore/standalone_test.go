package filestore

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
)

// TestStandaloneSmallEntry checks that a small entry put with
// checkpoint.WithStandalone gets a file of its own, that a new Driver
// reads it without building its index of the packs, and that a later
// packed Put of the key replaces it.
func TestStandaloneSmallEntry(t *testing.T) {
	dir := t.TempDir()
	w := openT(t, dir, &Options{NoSync: true})
	putT(t, w, "sum/1", []byte("packed"))
	ctx := checkpoint.WithStandalone(context.Background())
	if err := w.Put(ctx, "final/z", bytes.NewReader([]byte("alone")), 5); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "final", "z~ck")); err != nil {
		t.Fatalf("the standalone entry has no file of its own: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sum", "1~ck")); err == nil {
		t.Fatal("a small entry put without the hint got a file of its own")
	}
	w.Close()

	r := openT(t, dir, &Options{NoSync: true})
	if got := getT(t, r, "final/z"); string(got) != "alone" {
		t.Fatalf("Get = %q", got)
	}
	r.packs.mu.Lock()
	listed := r.packs.listed
	r.packs.mu.Unlock()
	if listed {
		t.Fatal("reading a standalone entry built the index of the packs")
	}
	if got := getT(t, r, "sum/1"); string(got) != "packed" {
		t.Fatalf("Get of the packed entry = %q", got)
	}

	putT(t, r, "final/z", []byte("newer")) // packed now: the file goes
	if _, err := os.Stat(filepath.Join(dir, "final", "z~ck")); !os.IsNotExist(err) {
		t.Fatalf("a packed Put left the key's own file: %v", err)
	}
	if got := getT(t, r, "final/z"); string(got) != "newer" {
		t.Fatalf("Get after the packed Put = %q", got)
	}
}
