package filestore

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// createHookFS runs hook once, just before this Driver creates its first
// pack file.
type createHookFS struct {
	FS
	once sync.Once
	hook func()
}

func (c *createHookFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	if flag&os.O_CREATE != 0 && strings.HasSuffix(name, packSuffix) {
		c.once.Do(c.hook)
	}
	return c.FS.OpenFile(name, flag, perm)
}

// TestMergeStaleCopyAfterDelete: a merge copies k's put as its index had it
// when the sweep began. Meanwhile another process deletes k, and a third
// process's sweep (whose own pack is older than all the others, so it merges
// nothing) removes both the put's pack and the delete's, since the delete
// hides no put that stays. The merge's copy, with the put's old version,
// then lands: k must not come back.
func TestMergeStaleCopyAfterDelete(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "a/0", []byte("a's pack is the oldest"))
	for i := range compactMin + 1 {
		d := openT(t, dir, nil)
		putT(t, d, fmt.Sprintf("f/%d", i), []byte("filler"))
		d.Close()
	}
	s1 := openT(t, dir, nil)
	putT(t, s1, "k", []byte("deleted"))
	s1.Close()
	h := &createHookFS{FS: OS()}
	h.hook = func() {
		x := openT(t, dir, nil)
		if err := x.Delete(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		x.Close()
		if _, _, err := a.Sweep(ctx, time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	b := openT(t, dir, &Options{FS: h})
	if _, _, err := b.Sweep(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]*Driver{"merger": b, "sweeper": a, "fresh": openT(t, dir, nil)} {
		if got, err := d.Get(ctx, "k"); err == nil {
			t.Errorf("%s reads deleted k = %q after the merge", name, got)
		}
	}
}

// TestMergeKeepsTouchInOwnTornPack: this Driver's touch of k went to its
// pack with the next Put; then a write failed (a full disk), which ends that
// pack. A merge copies the pack's put elsewhere and removes it: the touch in
// it still sets k's ModTime, for this Driver and a fresh one.
func TestMergeKeepsTouchInOwnTornPack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := openT(t, dir, nil)
	putT(t, p, "k", []byte("touched"))
	p.Close()
	for i := range compactMin + 1 {
		d := openT(t, dir, nil)
		putT(t, d, fmt.Sprintf("f/%d", i), []byte("filler"))
		d.Close()
	}
	lfs := &limitFS{FS: OS(), left: 1 << 20}
	d := openT(t, dir, &Options{FS: lfs})
	when := time.Date(2022, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := d.Touch(ctx, "k", when); err != nil {
		t.Fatal(err)
	}
	putT(t, d, "j", []byte("with the touch")) // writes the touch too
	lfs.left = 0
	if err := d.Put(ctx, "j", strings.NewReader("full"), 4); err == nil {
		t.Fatal("a Put on a full disk succeeded")
	}
	lfs.left = 1 << 20
	if _, _, err := d.Sweep(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*Driver{"merger": d, "fresh": openT(t, dir, nil)} {
		a, err := e.Stat(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		if !a.ModTime.Equal(when) {
			t.Errorf("%s: k's ModTime = %v after the merge, want the touch's %v", name, a.ModTime.UTC(), when)
		}
		if got := string(getT(t, e, "j")); got != "with the touch" {
			t.Errorf("%s: j = %q", name, got)
		}
	}
}

// TestURLOpenWarmsIndex: a Driver opened by URL builds its pack index in
// the background, before any read asks for it, and closing it at once,
// while that is under way, loses nothing.
func TestURLOpenWarmsIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for i := range 3 {
		d := openT(t, dir, nil)
		putT(t, d, fmt.Sprintf("k/%d", i), []byte(fmt.Sprint(i)))
		d.Close()
	}
	u := &url.URL{Scheme: "file", Path: dir}
	for range 20 { // Close racing the warm-up (the race detector watches)
		d, err := openURL(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	dd, err := openURL(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	d := dd.(*Driver)
	defer d.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d.packs.mu.Lock()
		listed, n := d.packs.listed, len(d.packs.index)
		d.packs.mu.Unlock()
		if listed && n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no read yet, and after 10 s the index is listed=%v with %d entries; want it built: 3", listed, n)
		}
		time.Sleep(time.Millisecond)
	}
	for i := range 3 {
		if got := getT(t, d, fmt.Sprintf("k/%d", i)); string(got) != fmt.Sprint(i) {
			t.Fatalf("k/%d = %q", i, got)
		}
	}
}
