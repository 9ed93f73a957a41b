package filestore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// ageOurPack makes d's current pack look as if d last wrote it two hours
// ago: an idle process.
func ageOurPack(t *testing.T, d *Driver) string {
	t.Helper()
	d.packs.mu.Lock()
	name := d.packs.w.name
	d.packs.mu.Unlock()
	path := filepath.Join(d.dir, packDirName, name)
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReviewSweepKeepsIdleWritersPack: a process that wrote, was
// overwritten by another, and then idled for longer than the sweep's grace
// still holds its pack open for appending. A sweep may remove the pack
// (every record in it is dead), but a Put the idle process makes afterwards
// must still be seen by other processes.
func TestReviewSweepKeepsIdleWritersPack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "k", []byte("a"))
	b := openT(t, dir, nil)
	putT(t, b, "k", []byte("b")) // a's only record is dead
	ageOurPack(t, a)
	c := openT(t, dir, nil)
	if _, _, err := c.Sweep(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	putT(t, a, "j", []byte("written by a after the sweep"))
	if got := getT(t, a, "j"); string(got) != "written by a after the sweep" {
		t.Fatalf("a reads %q", got)
	}
	if got, err := c.Get(ctx, "j"); err != nil || string(got) != "written by a after the sweep" {
		t.Fatalf("another process reads %q, %v after a's Put; want a's value", got, err)
	}
	if got, err := openT(t, dir, nil).Get(ctx, "j"); err != nil || string(got) != "written by a after the sweep" {
		t.Fatalf("a fresh process reads %q, %v after a's Put; want a's value", got, err)
	}
}

// hookFS runs hook once, just before the first Rename or Remove of path.
type hookFS struct {
	FS
	path string
	once sync.Once
	hook func()
}

func (h *hookFS) before(name string) {
	if name == h.path {
		h.once.Do(h.hook)
	}
}

func (h *hookFS) Rename(oldname, newname string) error {
	h.before(oldname)
	return h.FS.Rename(oldname, newname)
}

func (h *hookFS) Remove(name string) error {
	h.before(name)
	return h.FS.Remove(name)
}

// TestReviewSweepRacesAWrite: a sweep decides that an idle process's pack
// is dead, and the process appends to it just before the sweep removes it.
// The Put returned nil, so its entry must survive.
func TestReviewSweepRacesAWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "k", []byte("a"))
	b := openT(t, dir, nil)
	putT(t, b, "k", []byte("b"))
	path := ageOurPack(t, a)
	var putErr error
	h := &hookFS{FS: OS(), path: path, hook: func() {
		putErr = a.Put(ctx, "j", bytes.NewReader([]byte("raced")), 5)
	}}
	c := openT(t, dir, &Options{FS: h})
	if _, _, err := c.Sweep(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if putErr != nil {
		t.Fatalf("the racing Put failed: %v", putErr)
	}
	for name, d := range map[string]*Driver{"the sweeper": c, "a fresh process": openT(t, dir, nil), "b": b} {
		if got, err := d.Get(ctx, "j"); err != nil || string(got) != "raced" {
			t.Errorf("%s reads %q, %v after a Put that returned nil; want \"raced\"", name, got, err)
		}
	}
}

// TestReviewPutNegativeSize: a negative size is bad input, not a panic.
func TestReviewPutNegativeSize(t *testing.T) {
	d := openT(t, t.TempDir(), nil)
	err := d.Put(context.Background(), "k", bytes.NewReader([]byte("x")), -1)
	if err == nil {
		t.Fatal("Put with size -1 succeeded")
	}
	absentT(t, d, "k")
}

// TestReviewGetRangeNegativeLength: a packed entry and an entry in a file of
// its own answer GetRange alike; a negative length reads nothing.
func TestReviewGetRangeNegativeLength(t *testing.T) {
	ctx := context.Background()
	for _, packMax := range []int64{0, -1} {
		d := openT(t, t.TempDir(), &Options{PackMax: packMax})
		putT(t, d, "k", []byte("hello"))
		got, err := d.GetRange(ctx, "k", 1, -1)
		if err != nil || len(got) != 0 {
			t.Errorf("PackMax %d: GetRange(1, -1) = %q, %v; want no bytes", packMax, got, err)
		}
	}
}

// closingReader closes a Driver while a Put reads from it: a Put in flight
// when Close runs.
type closingReader struct {
	d *Driver
	r io.Reader
}

func (c *closingReader) Read(p []byte) (int, error) {
	c.d.Close()
	return c.r.Read(p)
}

// TestReviewPutDuringClose: a Put that is in flight when its Driver closes
// must not create a pack that nobody will seal or close.
func TestReviewPutDuringClose(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir, nil)
	err := d.Put(context.Background(), "k", &closingReader{d: d, r: strings.NewReader("abc")}, 3)
	if err == nil {
		t.Error("a Put that ran into Close succeeded")
	}
	if p := packFiles(t, dir); len(p) != 0 {
		t.Fatalf("a Put that ran into Close created %q, left open and unsealed", p)
	}
	if _, err := d.Get(context.Background(), "k"); !errors.Is(err, errClosed) {
		t.Fatalf("Get after Close = %v, want the closed error", err)
	}
}

// coarseFS reports directory modification times in whole seconds, as ext4
// with 128-byte inodes, HFS+ or some NFS servers do.
type coarseFS struct{ FS }

type coarseInfo struct{ os.FileInfo }

func (c coarseInfo) ModTime() time.Time { return c.FileInfo.ModTime().Truncate(time.Second) }

func (c coarseFS) Stat(name string) (os.FileInfo, error) {
	st, err := c.FS.Stat(name)
	if err == nil && st.IsDir() {
		st = coarseInfo{st}
	}
	return st, err
}

// TestReviewCoarseDirectoryTimes: on a file system that keeps directory
// times in seconds, a pack created in the same second as the listing before
// it leaves the directory's time unchanged; the next Get must still see it.
func TestReviewCoarseDirectoryTimes(t *testing.T) {
	dir := t.TempDir()
	a := openT(t, dir, &Options{FS: coarseFS{OS()}})
	putT(t, openT(t, dir, nil), "first", []byte("1"))
	getT(t, a, "first") // a lists the packs
	putT(t, openT(t, dir, nil), "second", []byte("2"))
	if got, err := a.Get(context.Background(), "second"); err != nil || string(got) != "2" {
		t.Fatalf("Get = %q, %v after another process's Put; want \"2\"", got, err)
	}
}

// TestReviewTouchAcrossPacks: another process's touch record sets a packed
// entry's ModTime whatever order the packs are read in, and a touch of an
// entry's older version does not set the ModTime of a newer one.
func TestReviewTouchAcrossPacks(t *testing.T) {
	ctx := context.Background()
	t.Run("order", func(t *testing.T) {
		dir := t.TempDir()
		a := openT(t, dir, nil)
		putT(t, a, "k", []byte("v"))
		a.Close()
		b := openT(t, dir, nil)
		when := time.Now().Add(time.Hour).Round(0)
		if err := b.Touch(ctx, "k", when); err != nil {
			t.Fatal(err)
		}
		b.Close()
		for i := range 32 {
			at, err := openT(t, dir, nil).Stat(ctx, "k")
			if err != nil || !at.ModTime.Equal(when) {
				t.Fatalf("fresh process %d: Stat = %+v, %v; want ModTime %v", i, at, err, when)
			}
		}
	})
	t.Run("older version", func(t *testing.T) {
		dir := t.TempDir()
		a := openT(t, dir, nil)
		putT(t, a, "k", []byte("v1"))
		b := openT(t, dir, nil)
		getT(t, b, "k")
		if err := b.Touch(ctx, "k", time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		written := time.Now()
		putT(t, a, "k", []byte("v2"))
		b.Close() // writes its touch of v1
		for i := range 32 {
			at, err := openT(t, dir, nil).Stat(ctx, "k")
			if err != nil || at.ModTime.Before(written) {
				t.Fatalf("fresh process %d: Stat = %+v, %v; want the ModTime of v2, written after %v", i, at, err, written)
			}
		}
	})
}

// TestReviewSweepKeepsTouches: a pack holding only touches (a run that only
// restored) is dead to a sweep, but the read times in it still matter:
// garbage collection sweeps and then collects by ModTime.
func TestReviewSweepKeepsTouches(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "k", []byte("v"))
	a.Close()
	b := openT(t, dir, nil)
	when := time.Now().Add(time.Hour).Round(0)
	if err := b.Touch(ctx, "k", when); err != nil {
		t.Fatal(err)
	}
	b.Close()
	c := openT(t, dir, nil)
	if _, _, err := c.Sweep(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]*Driver{"the sweeper": c, "a fresh process": openT(t, dir, nil)} {
		if at, err := d.Stat(ctx, "k"); err != nil || !at.ModTime.Equal(when) {
			t.Errorf("%s: Stat after Sweep = %+v, %v; want ModTime %v", name, at, err, when)
		}
	}
	c.Close()
	if at, err := openT(t, dir, nil).Stat(ctx, "k"); err != nil || !at.ModTime.Equal(when) {
		t.Errorf("Stat after the sweeper closed = %+v, %v; want ModTime %v", at, err, when)
	}
}

// openDeleted returns the files under dir that this process holds open
// though they were removed.
func openDeleted(t *testing.T, dir string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	var held []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir) && strings.HasSuffix(target, " (deleted)") {
			held = append(held, target)
		}
	}
	return held
}

// TestReviewSweptPacksAreClosed: a long-lived Driver lets go of the packs
// another process swept once it no longer reads them, so that their disk
// space is freed before it closes.
func TestReviewSweptPacksAreClosed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "k", []byte("a"))
	a.Close()
	reader := openT(t, dir, nil)
	getT(t, reader, "k") // opens a's pack
	b := openT(t, dir, nil)
	putT(t, b, "k", []byte("b"))
	if n, _, err := openT(t, dir, nil).Sweep(ctx, time.Now().Add(-time.Hour)); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want a's pack removed", n, err)
	}
	if got := getT(t, reader, "k"); string(got) != "b" {
		t.Fatalf("reader reads %q, want b", got)
	}
	if held := openDeleted(t, dir); len(held) != 0 {
		t.Fatalf("removed packs still held open: %q", held)
	}
}
