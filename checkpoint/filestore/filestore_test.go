package filestore_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/checkpoint/drivertest"
	"github.com/cairnlabs/cairn/checkpoint/filestore"
)

func TestConformance(t *testing.T) {
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
		d, err := filestore.Open(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestConformanceNoSync(t *testing.T) {
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
		d, err := filestore.Open(t.TempDir(), &filestore.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

// TestPermissions checks that entries are 0600 and directories 0700, so that
// checkpoints on a shared machine are private by default.
func TestPermissions(t *testing.T) {
	root := filepath.Join(t.TempDir(), "store")
	d, err := filestore.Open(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Put(context.Background(), "sub/dir/k", bytes.NewReader([]byte("v")), 1); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if e.IsDir() {
			want = 0o700
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s has mode %v, want %v", p, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLayout checks where an entry of its own file lives (packing off).
func TestLayout(t *testing.T) {
	root := t.TempDir()
	d, err := filestore.Open(root, &filestore.Options{PackMax: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	for _, k := range []string{"a", "a/b"} {
		if err := d.Put(ctx, k, bytes.NewReader([]byte(k)), int64(len(k))); err != nil {
			t.Fatal(err)
		}
	}
	// Foreign files beside the entries are neither listed nor harmed.
	if err := os.WriteFile(filepath.Join(root, "README"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	var keys []string
	d.List(ctx, "", func(a driver.Attrs) error { keys = append(keys, a.Key); return nil })
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"a", "a/b"}) {
		t.Fatalf("List = %q, want [a a/b]", keys)
	}
	for _, f := range []string{"a~ck", "a/b~ck"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("entry file %s: %v", f, err)
		}
	}
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, bad := range []string{
		"file://relative/dir", "file:relative", "file:///" + dir + "?fsync=maybe", "file://" + dir + "?mode=0644",
	} {
		if s, err := checkpoint.Open(ctx, bad); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", bad)
		} else if !strings.Contains(err.Error(), "filestore") {
			t.Errorf("Open(%q) error %q does not name the driver", bad, err)
		}
	}
	for _, good := range []string{"file://" + dir, "file://" + dir + "?fsync=false", "file://localhost" + dir} {
		s, err := checkpoint.Open(ctx, good)
		if err != nil {
			t.Fatalf("Open(%q): %v", good, err)
		}
		if _, err := s.Put(ctx, "k", 42.0, checkpoint.Meta{}); err != nil {
			t.Fatalf("Put into %q: %v", good, err)
		}
		if info, err := s.Stat(ctx, "k"); err != nil || info.Compressed {
			t.Fatalf("Stat in %q = %+v, %v; want an uncompressed entry", good, info, err)
		}
		s.Close()
	}
}

func TestOpenExisting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo", "run1")
	drivertest.RunOpenExisting(t, "file://"+dir, func() bool {
		_, err := os.Stat(filepath.Dir(dir))
		return errors.Is(err, fs.ErrNotExist)
	})
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := checkpoint.OpenExisting(context.Background(), "file://"+file); !errors.Is(err, checkpoint.ErrNoStore) {
		if err == nil {
			s.Close()
		}
		t.Fatalf("OpenExisting of a file = %v, want ErrNoStore", err)
	}
}
