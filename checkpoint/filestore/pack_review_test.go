package filestore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

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

var (
	_ = bytes.NewReader
	_ = errors.Is
	_ = io.EOF
	_ = fs.ErrNotExist
	_ = os.Stat
	_ = filepath.Join
	_ = strings.NewReader
	_ sync.Once
	_ = time.Now
	_ = context.Background
)
