package filestore

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"
)

// afterRemoveFS runs hook once, just after the first Remove of path.
type afterRemoveFS struct {
	FS
	path string
	hook func()
}

func (a *afterRemoveFS) Remove(name string) error {
	err := a.FS.Remove(name)
	if name == a.path && a.hook != nil {
		hook := a.hook
		a.hook = nil
		hook()
	}
	return err
}

// TestPackDeleteHidesOlderPackedEntry: k was packed, then put again in a
// file of its own. While a Delete of k is under way, a reader sees the
// file's entry or none, never the older packed one.
func TestPackDeleteHidesOlderPackedEntry(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "k", []byte("old, packed"))
	large := bytes.Repeat([]byte("L"), DefaultPackMax+1)
	putT(t, a, "k", large)
	b := openT(t, dir, nil)
	var got []byte
	var gerr error
	h := &afterRemoveFS{FS: OS(), path: b.path("k"), hook: func() { got, gerr = a.Get(ctx, "k") }}
	c := openT(t, dir, &Options{FS: h})
	if err := c.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if gerr == nil && !bytes.Equal(got, large) {
		t.Fatalf("during a Delete, a reader sees %q: an entry older than the deleted one", got)
	}
	absentT(t, a, "k")
	absentT(t, b, "k")
}

// TestPackSweptOwnPackForgotten: a sweep in another process removes this
// Driver's pack (its put of k is dead: deleted) together with the pack of
// the delete. This Driver must forget its pack as it forgets another's:
// read again, the old put would bring k back.
func TestPackSweptOwnPackForgotten(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "k", []byte("old"))
	b := openT(t, dir, nil)
	if err := b.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	b.Close()
	c := openT(t, dir, nil)
	if n, _, err := c.Sweep(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("sweep removed %d packs, %v; want 2 (a's and b's)", n, err)
	}
	absentT(t, c, "k")
	absentT(t, a, "k")
	putT(t, a, "j", []byte("after the sweep"))
	if got := getT(t, c, "j"); string(got) != "after the sweep" {
		t.Fatalf("c reads %q", got)
	}
	absentT(t, a, "k")
}

// TestPackSweepKeepsDeleteOfAPackPutBack: a sweep finds a put of k and its
// delete dead, but the pack of the put grows while the sweep moves it aside,
// so it is put back. The delete must stay too, or k comes back.
func TestPackSweepKeepsDeleteOfAPackPutBack(t *testing.T) {
	for range 8 { // map order decides which pack a sweep tries first
		ctx := context.Background()
		dir := t.TempDir()
		a := openT(t, dir, nil)
		putT(t, a, "k", []byte("old"))
		b := openT(t, dir, nil)
		if err := b.Delete(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		b.Close()
		a.packs.mu.Lock()
		path := filepath.Join(dir, packDirName, a.packs.w.name)
		a.packs.mu.Unlock()
		h := &hookFS{FS: OS(), path: path, hook: func() { putT(t, a, "j", []byte("raced")) }}
		c := openT(t, dir, &Options{FS: h})
		if _, _, err := c.Sweep(ctx, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		absentT(t, c, "k")
		absentT(t, openT(t, dir, nil), "k")
		absentT(t, a, "k")
		a.Close()
		c.Close()
	}
}
