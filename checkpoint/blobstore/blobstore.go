package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// store is a driver.Driver over a *blob.Bucket.
type store struct {
	b      *blob.Bucket
	owned  bool   // Close closes b
	suffix string // appended to every key to name its blob; see blobKey
	// syncDir says that fileblob writes its temporaries beside the final
	// files (no_tmp_dir), so a Put fsyncs the directory after the rename.
	syncDir bool
	closed  atomic.Bool
}

// New returns a driver.Driver that stores entries in b, one blob per key.
//
// The caller keeps ownership of b: closing the returned driver does not
// close b, and b must stay open while the driver is in use. The driver is
// safe for concurrent use by multiple goroutines, and several processes may
// use the same bucket at once.
func New(b *blob.Bucket) driver.Driver {
	return newStore(b, false)
}

// newStore returns a store over b that closes b on Close when owned.
func newStore(b *blob.Bucket, owned bool) *store {
	s := &store{b: b, owned: owned}
	var fi os.FileInfo
	if b.As(&fi) { // only fileblob exposes an os.FileInfo for its bucket
		s.suffix = fileSuffix
	}
	return s
}

// fileSuffix ends the name of every blob in a fileblob bucket.
//
// A directory cannot hold a file "a" and a directory "a" at once, so keys
// "a" and "a/b" cannot both be files named for themselves; fileblob also
// reserves names ending in ".attrs" and, with no_tmp_dir, writes temporary
// files next to the final ones. With '@' (not a valid key character)
// appended, "a@" and "a/b@" coexist, no key ends in ".attrs", and the
// temporaries ("a@.<hex>.tmp") are told apart from entries.
const fileSuffix = "@"

// blobKey maps a checkpoint key to the key of the blob that stores it.
func (s *store) blobKey(key string) string { return key + s.suffix }

// checkpointKey reverses blobKey. It reports false for blobs that blobKey
// never names (temporaries, foreign files), which List skips.
func (s *store) checkpointKey(bkey string) (string, bool) {
	return strings.CutSuffix(bkey, s.suffix)
}

// check returns an error once the store is closed or ctx is done. Not
// every bucket driver looks at ctx (memblob does not), so every method
// checks it first.
func (s *store) check(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("blobstore: %w", fs.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blobstore: %w", err)
	}
	return nil
}

// wrap wraps err from operation op on key once, mapping gcerrors.NotFound to
// fs.ErrNotExist and keeping the original error in the chain.
func wrap(op, key string, err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return fmt.Errorf("blobstore: %s %q: %w (%w)", op, key, fs.ErrNotExist, err)
	}
	return fmt.Errorf("blobstore: %s %q: %w", op, key, err)
}

// Put implements driver.Driver. The blob writer commits only on a clean
// Close; on any failure its context is cancelled first, which aborts the
// upload and leaves the previous blob, if any, in place.
func (s *store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("blobstore: put %q: negative size %d", key, size)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var tmp *os.File // fileblob's temporary file, to fsync before the rename
	w, err := s.b.NewWriter(wctx, s.blobKey(key), &blob.WriterOptions{
		ContentType: "application/octet-stream",
		BeforeWrite: func(as func(any) bool) error {
			as(&tmp)
			return nil
		},
	})
	if err != nil {
		return wrap("put", key, err)
	}
	n, err := io.Copy(w, io.LimitReader(r, size+1))
	if err == nil && n != size {
		err = fmt.Errorf("reader gave %d bytes, want %d", n, size)
		if n > size {
			err = fmt.Errorf("reader gave more than %d bytes", size)
		}
	}
	if err == nil && tmp != nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		cancel()
		_ = w.Close() // aborts: the writer's context is cancelled
		return wrap("put", key, err)
	}
	if err := w.Close(); err != nil {
		return wrap("put", key, err)
	}
	if tmp != nil && s.syncDir {
		if err := syncDir(filepath.Dir(tmp.Name())); err != nil {
			return wrap("put", key, err)
		}
	}
	return nil
}

// syncDir fsyncs directory dir, so that a rename into it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Get implements driver.Driver.
func (s *store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	r, err := s.b.NewReader(ctx, s.blobKey(key), nil)
	if err != nil {
		return nil, wrap("get", key, err)
	}
	defer r.Close()
	data, err := readAll(r, r.Size())
	if err != nil {
		return nil, wrap("get", key, err)
	}
	return data, nil
}

// readAll reads r to its end into a buffer of the expected size (io.ReadAll
// would grow its buffer step by step, copying the value several times).
// The size is only a hint: fileblob takes it from a Stat made before it
// opens the file, so a Put racing the Get can make it the size of another
// version. What the reader returns up to its end is one whole version (the
// store's checksum vouches for it), so a shorter or longer body is kept.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size < 0 || size > 1<<30 {
		return io.ReadAll(r) // unknown or implausible size: grow as data comes
	}
	data := make([]byte, size)
	if n, err := io.ReadFull(r, data); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return data[:n], nil
		}
		return nil, err
	}
	rest, err := io.ReadAll(r) // normally empty
	if len(rest) > 0 {
		data = append(data, rest...)
	}
	return data, err
}

// Stat implements driver.Driver.
func (s *store) Stat(ctx context.Context, key string) (driver.Attrs, error) {
	if err := s.check(ctx); err != nil {
		return driver.Attrs{}, err
	}
	a, err := s.b.Attributes(ctx, s.blobKey(key))
	if err != nil {
		return driver.Attrs{}, wrap("stat", key, err)
	}
	return driver.Attrs{Key: key, Size: a.Size, ModTime: a.ModTime}, nil
}

// Delete implements driver.Driver.
func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	err := s.b.Delete(ctx, s.blobKey(key))
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return wrap("delete", key, err)
	}
	return nil
}

// List implements driver.Driver. fn's error is returned unchanged.
func (s *store) List(ctx context.Context, prefix string, fn func(driver.Attrs) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	it := s.b.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return wrap("list", prefix, err)
		}
		if obj.IsDir {
			continue
		}
		key, ok := s.checkpointKey(obj.Key)
		if !ok || !strings.HasPrefix(key, prefix) {
			continue
		}
		if err := fn(driver.Attrs{Key: key, Size: obj.Size, ModTime: obj.ModTime}); err != nil {
			return err
		}
	}
}

// Close implements driver.Driver. It closes the bucket only when the driver
// opened it (Open); a bucket handed to New stays open. A second Close returns
// nil.
func (s *store) Close() error {
	if s.closed.Swap(true) || !s.owned {
		return nil
	}
	if err := s.b.Close(); err != nil {
		return fmt.Errorf("blobstore: close: %w", err)
	}
	return nil
}
