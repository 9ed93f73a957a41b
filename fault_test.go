package cairn_test

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/filestore"
)

// faultFS is the real file system with faults injected into checkpoint
// writes: every nth write fails with err, or every nth rename is "lost to a
// crash" (the temporary file stays, the entry is never made).
type faultFS struct {
	filestore.FS
	n      int64
	writes atomic.Int64
	err    error // for writes; nil: drop renames instead
}

type faultFile struct {
	filestore.File
	fs *faultFS
}

func (f *faultFS) OpenFile(name string, flag int, perm os.FileMode) (filestore.File, error) {
	file, err := f.FS.OpenFile(name, flag, perm)
	if err != nil || flag&os.O_WRONLY == 0 && flag&os.O_RDWR == 0 {
		return file, err
	}
	return &faultFile{file, f}, nil
}

func (f *faultFile) Write(p []byte) (int, error) {
	if f.fs.err != nil && f.fs.writes.Add(1)%f.fs.n == 0 {
		n, _ := f.File.Write(p[:len(p)/2]) // a torn write, then the failure
		return n, f.fs.err
	}
	return f.File.Write(p)
}

func (f *faultFS) Rename(oldname, newname string) error {
	if f.err == nil && !strings.Contains(newname, ".cairn") && f.writes.Add(1)%f.n == 0 {
		return nil // "crashed" before the rename: the temporary file stays behind
	}
	return f.FS.Rename(oldname, newname)
}

// Checkpoint writes that fail with ENOSPC or EIO, or that a crash cuts off
// before the rename, never leave an entry that reads back wrong, and the run
// still completes with the right answer; the next run restores what was
// written and recomputes the rest.
func TestStoreFaultsNeverGiveWrongResults(t *testing.T) {
	inputs := []int{1, 2, 3, 4, 5, 6, 7, 8}
	for name, fs := range map[string]*faultFS{
		"ENOSPC":       {n: 3, err: syscall.ENOSPC},
		"EIO":          {n: 2, err: syscall.EIO},
		"crash-rename": {n: 3},
	} {
		t.Run(name, func(t *testing.T) {
			fs.FS = filestore.OS()
			dir := t.TempDir()
			d, err := filestore.Open(dir, &filestore.Options{FS: fs})
			if err != nil {
				t.Fatal(err)
			}
			st := checkpoint.New(d, nil)
			defer st.Close()
			resetCalls()
			want := 0.0
			for _, in := range inputs {
				want += square(gen(in))
			}
			resetCalls()
			got, l := collectWith(t, st, storeGraph(inputs, squareV1))
			if got != want {
				t.Fatalf("faulty store: got %v, want %v", got, want)
			}
			if fs.err != nil && l.count(cairn.CheckpointFailed) == 0 {
				t.Fatal("no checkpoint failure was reported")
			}
			// Every entry the store lists reads back whole and verified.
			ctx := context.Background()
			entries := 0
			err = st.List(ctx, "", func(info checkpoint.Info) error {
				entries++
				if info.Err != nil {
					t.Errorf("listed entry %s is damaged: %v", info.Key, info.Err)
				}
				return st.Verify(ctx, info.Key)
			})
			if err != nil {
				t.Fatalf("an entry does not verify: %v", err)
			}
			// A second run over the same storage, without faults.
			clean := checkpoint.New(mustOpen(t, dir), nil)
			defer clean.Close()
			resetCalls()
			got, l = collectWith(t, clean, storeGraph(inputs, squareV1))
			if got != want {
				t.Fatalf("second run: got %v, want %v", got, want)
			}
			if l.count(cairn.RestoreFailed) != 0 {
				t.Fatalf("a damaged entry was found on restore: %d restore failures", l.count(cairn.RestoreFailed))
			}
			t.Logf("%d entries survived the faults; second run computed %v", entries, calls())
		})
	}
}

func mustOpen(t *testing.T, dir string) *filestore.Driver {
	t.Helper()
	d, err := filestore.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
