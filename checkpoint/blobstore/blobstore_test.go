package blobstore_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/memblob"

	"github.com/cairnlabs/cairn/checkpoint/blobstore"
	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/checkpoint/drivertest"
)

// open opens rawURL with blobstore.Open and closes it when t ends.
func open(t testing.TB, rawURL string) driver.Driver {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	d, err := blobstore.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("Open(%s): %v", rawURL, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// fileURL returns a blob+file URL for a fresh directory.
func fileURL(t testing.TB) string {
	return "blob+file://" + filepath.ToSlash(t.TempDir())
}

func TestConformanceMem(t *testing.T) {
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
		return open(t, "blob+mem://")
	})
}

func TestConformanceFile(t *testing.T) {
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
		return open(t, fileURL(t))
	})
}

// TestConformanceFileNew runs the suite over a fileblob bucket with
// temporaries in os.TempDir, handed to New. (fileblob's default .attrs side
// files are rewritten in place, so a Get that races a Put of the same key
// can fail to decode them: the package doc says to turn them off.)
func TestConformanceFileNew(t *testing.T) {
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
		b, err := fileblob.OpenBucket(t.TempDir(), &fileblob.Options{Metadata: fileblob.MetadataDontWrite})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return blobstore.New(b)
	})
}

func TestConformanceMemNew(t *testing.T) {
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
		b := memblob.OpenBucket(nil)
		t.Cleanup(func() { _ = b.Close() })
		return blobstore.New(b)
	})
}

// TestNewKeepsBucket checks that closing a driver made by New leaves the
// caller's bucket open.
func TestNewKeepsBucket(t *testing.T) {
	ctx := context.Background()
	b := memblob.OpenBucket(nil)
	defer b.Close()
	d := blobstore.New(b)
	if err := d.Put(ctx, "k", strings.NewReader("v"), 1); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, "k"); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("Get after Close = %v, want fs.ErrClosed", err)
	}
	if got, err := b.ReadAll(ctx, "k"); err != nil || string(got) != "v" {
		t.Fatalf("bucket after the driver's Close: ReadAll = %q, %v; want \"v\"", got, err)
	}
}

// TestFileLayout pins how entries lie in a blob+file directory: one file
// per key, named key+"@", so that "a" and "a/b" can both exist.
func TestFileLayout(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := open(t, "blob+file://"+filepath.ToSlash(dir))
	for _, k := range []string{"a", "a/b", "x.attrs"} {
		if err := d.Put(ctx, k, strings.NewReader(k), int64(len(k))); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a/b@", "a@", "x.attrs@"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files = %q, want %q", got, want)
	}
}

// TestSweep leaves a temporary file behind as a crashed Put would and
// checks that Sweep removes it once it is old enough, and nothing else.
func TestSweep(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := open(t, "blob+file://"+filepath.ToSlash(dir))
	if err := d.Put(ctx, "run/k", strings.NewReader("value"), 5); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "run", "x@.18fb462fdd2893f8.tmp")
	if err := os.WriteFile(tmp, []byte("partial"), 0o666); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(tmp, old, old); err != nil {
		t.Fatal(err)
	}
	sw := d.(driver.Sweeper)
	if n, _, err := sw.Sweep(ctx, old.Add(-time.Minute)); err != nil || n != 0 {
		t.Fatalf("Sweep before the leftover was written = %d, %v; want 0, nil", n, err)
	}
	n, size, err := sw.Sweep(ctx, time.Now())
	if err != nil || n != 1 || size != int64(len("partial")) {
		t.Fatalf("Sweep = %d, %d, %v; want 1, %d, nil", n, size, err, len("partial"))
	}
	if _, err := os.Stat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("leftover still there after Sweep: %v", err)
	}
	if got, err := d.Get(ctx, "run/k"); err != nil || string(got) != "value" {
		t.Fatalf("Get after Sweep = %q, %v; want \"value\"", got, err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, raw := range []string{
		"ftp://host/dir",                       // not a blob scheme
		"blob+file:///dev/null/no/such/dir",    // cannot be created
		"blob+file:///tmp?create_dir=&bogus=1", // unknown fileblob parameter
		"blob+mem://?nomd5=1&what=2",           // unknown memblob parameter
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		d, err := blobstore.Open(ctx, u)
		if err == nil {
			d.Close()
			t.Errorf("Open(%s) succeeded, want an error", raw)
			continue
		}
		if !strings.HasPrefix(err.Error(), "blobstore: ") {
			t.Errorf("Open(%s) error %q lacks the package prefix", raw, err)
		}
	}
}

// TestPutLeavesNoTemporaries checks that failed and successful Puts leave
// only entries in a blob+file directory.
func TestPutLeavesNoTemporaries(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := open(t, "blob+file://"+filepath.ToSlash(dir))
	if err := d.Put(ctx, "k", bytes.NewReader(make([]byte, 10)), 20); err == nil {
		t.Fatal("short Put succeeded")
	}
	if err := d.Put(ctx, "k", bytes.NewReader(make([]byte, 10)), 10); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "k@" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %q, want [k@]", names)
	}
}

// TestOpenExisting checks create=false: a blob+file directory is opened
// only if it exists, and a blob+mem store never.
func TestOpenExisting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo", "run1")
	drivertest.RunOpenExisting(t, "blob+file://"+filepath.ToSlash(dir), func() bool {
		_, err := os.Stat(filepath.Dir(dir))
		return errors.Is(err, fs.ErrNotExist)
	})
	drivertest.RunNeverExisting(t, "blob+mem://")
}
