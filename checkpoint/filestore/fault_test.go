package filestore_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/filestore"
)

var errCrashed = errors.New("faultfs: the process crashed")

// faultFS wraps the OS file system to inject faults into writes of
// temporary files. Once crashed, every operation fails, as if the process
// had died at that point: nothing it does afterwards (such as removing its
// temporary file) happens.
type faultFS struct {
	filestore.FS
	faults
	mu      sync.Mutex
	crashed bool
}

// faults says which faults a faultFS injects.
type faults struct {
	writeErr  error // returned by a temp file write once writeLeft bytes are written
	writeLeft int
	syncErr   error  // returned by Sync of a temp file
	renameErr error  // returned by Rename
	crashAt   string // "write" (mid-write), "rename" (before rename): crash there
}

func (f *faultFS) dead() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.crashed {
		return errCrashed
	}
	return nil
}

func (f *faultFS) crash() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.crashed = true
	return errCrashed
}

func (f *faultFS) OpenFile(name string, flag int, perm os.FileMode) (filestore.File, error) {
	if err := f.dead(); err != nil {
		return nil, err
	}
	file, err := f.FS.OpenFile(name, flag, perm)
	if err != nil || !strings.Contains(name, "~tmp") {
		return file, err
	}
	return &faultFile{File: file, fs: f}, nil
}

func (f *faultFS) Rename(oldname, newname string) error {
	if err := f.dead(); err != nil {
		return err
	}
	if f.crashAt == "rename" {
		return f.crash()
	}
	if f.renameErr != nil {
		return f.renameErr
	}
	return f.FS.Rename(oldname, newname)
}

func (f *faultFS) Remove(name string) error {
	if err := f.dead(); err != nil {
		return err
	}
	return f.FS.Remove(name)
}

type faultFile struct {
	filestore.File
	fs *faultFS
}

func (f *faultFile) Write(p []byte) (int, error) {
	if err := f.fs.dead(); err != nil {
		return 0, err
	}
	if f.fs.writeErr == nil && f.fs.crashAt != "write" {
		return f.File.Write(p)
	}
	n := min(len(p), f.fs.writeLeft)
	n, _ = f.File.Write(p[:n])
	f.fs.writeLeft -= n
	if n < len(p) {
		if f.fs.crashAt == "write" {
			return n, f.fs.crash()
		}
		return n, f.fs.writeErr
	}
	return n, nil
}

func (f *faultFile) Sync() error {
	if err := f.fs.dead(); err != nil {
		return err
	}
	if f.fs.syncErr != nil {
		return f.fs.syncErr
	}
	return f.File.Sync()
}

func (f *faultFile) Close() error {
	if err := f.fs.dead(); err != nil {
		f.File.Close() // the OS closes a dead process's files
		return err
	}
	return f.File.Close()
}

// tempFiles returns the temporary files under root.
func tempFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && strings.Contains(e.Name(), "~tmp") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestFaults injects a fault into the Put that replaces a good checkpoint,
// then reopens the directory as a fresh process would: the old checkpoint
// must read back whole, the failed one must not appear, and whatever a
// crash left behind must be ignored by List and removed by GC.
func TestFaults(t *testing.T) {
	old := []float64{1, 2, 3}
	next := make([]float64, 1<<16) // 512 KiB, written in pieces
	for i := range next {
		next[i] = float64(i)
	}
	cases := []struct {
		name    string
		fault   faults
		want    error // the Put's error
		crashed bool  // leaves a torn temporary file
	}{
		{"ENOSPC", faults{writeErr: syscall.ENOSPC, writeLeft: 100 << 10}, syscall.ENOSPC, false},
		{"EIO on sync", faults{syncErr: syscall.EIO}, syscall.EIO, false},
		{"EIO on rename", faults{renameErr: syscall.EIO}, syscall.EIO, false},
		{"crash mid-write", faults{crashAt: "write", writeLeft: 200 << 10}, errCrashed, true},
		{"crash before rename", faults{crashAt: "rename"}, errCrashed, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			root := t.TempDir()
			good := openStore(t, root, nil)
			if _, err := good.Put(ctx, "k", old, checkpoint.Meta{}); err != nil {
				t.Fatal(err)
			}
			good.Close()

			ffs := &faultFS{FS: filestore.OS(), faults: c.fault}
			faulty := openStore(t, root, &filestore.Options{FS: ffs})
			_, err := faulty.Put(ctx, "k", next, checkpoint.Meta{})
			if !errors.Is(err, c.want) {
				t.Fatalf("faulty Put = %v, want %v", err, c.want)
			}
			_, err = faulty.Put(ctx, "new", next, checkpoint.Meta{})
			if err == nil {
				t.Fatal("faulty Put of a new key succeeded")
			}

			// A fresh process over the same directory.
			now := time.Now()
			s := openStoreNow(t, root, func() time.Time { return now })
			got, _, err := s.Get(ctx, "k", nil)
			if err != nil || !reflect.DeepEqual(got, old) {
				t.Fatalf("Get after a failed Put = %v, %v; want the old value", got, err)
			}
			if _, _, err := s.Get(ctx, "new", nil); !errors.Is(err, checkpoint.ErrNotFound) {
				t.Fatalf("Get of a key whose only Put failed = %v, want ErrNotFound", err)
			}
			var keys []string
			if err := s.List(ctx, "", func(i checkpoint.Info) error { keys = append(keys, i.Key); return i.Err }); err != nil {
				t.Fatal(err)
			}
			if len(keys) != 1 || keys[0] != "k" {
				t.Fatalf("List = %q, want [k]", keys)
			}
			temps := tempFiles(t, root)
			if !c.crashed {
				if len(temps) != 0 {
					t.Fatalf("a failed Put left %q", temps)
				}
				return
			}
			if len(temps) == 0 {
				t.Fatal("the simulated crash left no temporary file; the test is not testing anything")
			}
			// GC leaves fresh temporaries alone (their writer may be alive)...
			if rep, err := s.GC(ctx, checkpoint.GCPolicy{}); err != nil || rep.Swept != 0 {
				t.Fatalf("GC = %+v, %v; want fresh temporaries kept", rep, err)
			}
			// ...and removes them once they are over an hour old.
			now = now.Add(2 * time.Hour)
			rep, err := s.GC(ctx, checkpoint.GCPolicy{})
			if err != nil || rep.Swept != len(temps) || rep.SweptBytes == 0 {
				t.Fatalf("GC = %+v, %v; want %d temporaries swept", rep, err, len(temps))
			}
			if left := tempFiles(t, root); len(left) != 0 {
				t.Fatalf("GC left %q", left)
			}
			if got, _, err := s.Get(ctx, "k", nil); err != nil || !reflect.DeepEqual(got, old) {
				t.Fatalf("Get after GC = %v, %v; want the old value", got, err)
			}
		})
	}
}

// TestTornEntry covers what fsync prevents: after a power loss without it,
// an entry file can hold a prefix of its frame. Get must report it corrupt.
func TestTornEntry(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openStore(t, root, &filestore.Options{PackMax: -1})
	if _, err := s.Put(ctx, "k", []float64{1, 2, 3, 4}, checkpoint.Meta{}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "k~ck")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 10, len(b) / 2, len(b) - 1} {
		if err := os.WriteFile(p, b[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		v, _, err := s.Get(ctx, "k", nil)
		if !errors.Is(err, checkpoint.ErrCorrupt) || v != nil {
			t.Fatalf("Get of a %d-byte prefix = %v, %v; want ErrCorrupt and no value", n, v, err)
		}
		if err := s.Verify(ctx, "k"); !errors.Is(err, checkpoint.ErrCorrupt) {
			t.Fatalf("Verify of a %d-byte prefix = %v, want ErrCorrupt", n, err)
		}
	}
}

func openStore(t *testing.T, root string, opts *filestore.Options) *checkpoint.Store {
	t.Helper()
	d, err := filestore.Open(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	s := checkpoint.New(d, nil)
	t.Cleanup(func() { s.Close() })
	return s
}

func openStoreNow(t *testing.T, root string, now func() time.Time) *checkpoint.Store {
	t.Helper()
	d, err := filestore.Open(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := checkpoint.New(d, &checkpoint.Options{Now: now})
	t.Cleanup(func() { s.Close() })
	return s
}
