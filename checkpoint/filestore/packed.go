package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// putPacked appends key's entry of size bytes from r to the pack.
func (d *Driver) putPacked(ctx context.Context, key string, r io.Reader, size int64) error {
	data := make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("filestore: put %q: the reader held fewer than the %d bytes announced", key, size)
		}
		return wrap("put", key, err)
	}
	var one [1]byte
	if n, _ := io.ReadFull(r, one[:]); n > 0 {
		return fmt.Errorf("filestore: put %q: the reader holds more than the %d bytes announced", key, size)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// A file of the key's own would hide the packed entry: remove it, and
	// make the removal durable so that a crash cannot bring it back. But
	// only the file that was there before the record: one put in its place
	// since (by another process, while this Put synced) is newer, and
	// removing it would bring back an older entry.
	final := d.path(key)
	old, err := d.opts.FS.Stat(final)
	if err != nil && !notExist(err) {
		return wrap("put", key, err)
	}
	if err := d.packs.put(key, data); err != nil {
		return wrap("put", key, err)
	}
	if old == nil {
		return nil
	}
	cur, err := d.opts.FS.Stat(final)
	if err == nil && sameFile(old, cur) {
		err = d.opts.FS.Remove(final)
		if err == nil && !d.opts.NoSync {
			err = d.syncDir(filepath.Dir(final))
		}
	}
	if err != nil && !notExist(err) {
		return wrap("put", key, err)
	}
	return nil
}

// sameFile reports whether a and b describe one file (for an FS whose file
// information os.SameFile cannot compare, one size and modification time).
func sameFile(a, b os.FileInfo) bool {
	return os.SameFile(a, b) || a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// getPacked returns length bytes (all, when length < 0) from offset of
// key's packed entry.
func (d *Driver) getPacked(key string, offset, length int64) ([]byte, error) {
	e, ok, err := d.packs.lookup(key, true)
	if err != nil {
		return nil, wrap("get", key, err)
	}
	if !ok {
		return nil, wrap("get", key, fs.ErrNotExist)
	}
	if e.damaged {
		return nil, d.packs.corrupt(key, e) // a *checkpoint.CorruptError, which the Store passes on as it is
	}
	lo := min(max(offset, 0), e.size)
	n := e.size - lo
	if length >= 0 {
		n = min(length, n)
	}
	b, err := d.packs.read(e, lo, n)
	if err != nil {
		return nil, wrap("get", key, err)
	}
	return b, nil
}

// statPacked returns the attributes of key's packed entry.
func (d *Driver) statPacked(key string) (driver.Attrs, error) {
	e, ok, err := d.packs.lookup(key, false)
	if err != nil {
		return driver.Attrs{}, wrap("stat", key, err)
	}
	if !ok {
		return driver.Attrs{}, wrap("stat", key, fs.ErrNotExist)
	}
	return driver.Attrs{Key: key, Size: e.size, ModTime: unixNano(e.mod)}, nil
}

// unixNano returns the time of a record.
func unixNano(n int64) time.Time { return time.Unix(0, n) }
