package checkpoint_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
)

func TestWriteReadFile(t *testing.T) {
	ctx := checkpoint.WithRun(context.Background(), "r1")
	dir := t.TempDir()
	path := filepath.Join(dir, "checkpoint-1.bin")
	want := []float64{1.5, -2, 3}
	if err := checkpoint.WriteFile(ctx, path, want, checkpoint.Meta{Thunk: "sum#1"}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", st.Mode().Perm())
	}
	got, info, err := checkpoint.ReadFile(ctx, path, nil)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ReadFile = %v, %v; want %v", got, err, want)
	}
	if info.Thunk != "sum#1" || info.Run != "r1" || info.Size != st.Size() || info.ModTime.IsZero() {
		t.Fatalf("ReadFile Info = %+v", info)
	}
	// Overwrite, and no temporary file is left behind.
	if err := checkpoint.WriteFile(ctx, path, 2.0, checkpoint.Meta{}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := checkpoint.ReadFile(ctx, path, nil); err != nil || got != 2.0 {
		t.Fatalf("ReadFile after overwrite = %v, %v", got, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("directory holds %d files, want 1", len(ents))
	}
}

func TestReadFileErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, _, err := checkpoint.ReadFile(ctx, filepath.Join(dir, "absent.bin"), nil)
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, checkpoint.ErrNotFound) {
		t.Fatalf("ReadFile of a missing file = %v, want fs.ErrNotExist", err)
	}
	path := filepath.Join(dir, "c.bin")
	if err := checkpoint.WriteFile(ctx, path, []float64{1, 2}, checkpoint.Meta{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	for _, bad := range [][]byte{b[:len(b)-3], []byte("not a checkpoint at all, just some text"), nil} {
		os.WriteFile(path, bad, 0o600)
		v, _, err := checkpoint.ReadFile(ctx, path, nil)
		var ce *checkpoint.CorruptError
		if !errors.As(err, &ce) || ce.Key != path || v != nil {
			t.Fatalf("ReadFile of %d damaged bytes = %v, %v; want a *CorruptError naming the path", len(bad), v, err)
		}
	}
	if err := checkpoint.WriteFile(ctx, filepath.Join(dir, "no/such/dir/x.bin"), 1.0, checkpoint.Meta{}); err == nil {
		t.Fatal("WriteFile into a missing directory succeeded")
	}
}
