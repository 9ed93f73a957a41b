package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"time"
)

// WriteFile writes v and meta to the file at path as one checkpoint frame
// (the format of every store, uncompressed), atomically and durably: it
// writes a temporary file in the same directory with mode 0600, syncs it,
// renames it over path and syncs the directory. A reader, or a crash, sees
// the old file or the whole new one. A zero meta.Created defaults to now and
// an empty meta.Run to the context's run; meta.Key is stored as given.
//
// WriteFile is the single-file form of a Store, for Checkpoint functions
// that name their own files (the seed's "checkpoint-$idx.bin").
func WriteFile(ctx context.Context, path string, v any, meta Meta) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if meta.Run == "" {
		meta.Run = RunFromContext(ctx)
	}
	if meta.Created.IsZero() {
		meta.Created = time.Now()
	}
	f, err := encodeFrame(v, &meta, false)
	if err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	if err := writeFileAtomic(ctx, path, f); err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes the frame to path through a synced temporary file,
// a rename and a directory sync.
func writeFileAtomic(ctx context.Context, path string, f *frame) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(f.head); err != nil {
		return err
	}
	if _, err = tmp.Write(f.payload); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ReadFile reads the checkpoint frame in the file at path, checks it, and
// decodes its value as typ (nil: the natural type). A missing file gives an
// error that matches fs.ErrNotExist and ErrNotFound; a torn, truncated or
// damaged file gives a *CorruptError (matching ErrCorrupt) and never a
// value. Info.ModTime is the file's modification time.
func ReadFile(ctx context.Context, path string, typ reflect.Type) (any, Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, Info{}, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, &notFoundError{key: path, err: err}
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("checkpoint: read %s: %w", path, err)
	}
	v, info, err := decodeValue(b, typ, path)
	if err != nil {
		return nil, Info{}, withKey(err, path)
	}
	if st, err := os.Stat(path); err == nil {
		info.ModTime = st.ModTime()
	}
	return v, info, nil
}
