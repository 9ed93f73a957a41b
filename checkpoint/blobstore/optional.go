package blobstore

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// The store implements these optional interfaces.
var (
	_ driver.RangeGetter = (*store)(nil)
	_ driver.Sweeper     = (*store)(nil)
)

// GetRange implements driver.RangeGetter with a ranged read of the blob.
func (s *store) GetRange(ctx context.Context, key string, offset, length int64) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("blobstore: get range %q: negative offset %d or length %d", key, offset, length)
	}
	if length == 0 {
		if _, err := s.Stat(ctx, key); err != nil {
			return nil, err
		}
		return []byte{}, nil
	}
	r, err := s.b.NewRangeReader(ctx, s.blobKey(key), offset, length, nil)
	if err != nil {
		if gcerrors.Code(err) != gcerrors.NotFound {
			// Some services refuse a range that starts past the end
			// (HTTP 416) instead of returning nothing.
			if a, serr := s.Stat(ctx, key); serr == nil && offset >= a.Size {
				return []byte{}, nil
			}
		}
		return nil, wrap("get range", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, wrap("get range", key, err)
	}
	return b, nil
}

// tmpName matches the temporary files fileblob writes beside the final ones
// with no_tmp_dir: the blob's name, a dot, the creation time in hex, ".tmp".
var tmpName = regexp.MustCompile(fileSuffix + `\.[0-9a-f]+\.tmp$`)

// Sweep implements driver.Sweeper. Only a fileblob bucket can hold
// leftovers (the temporary files of Puts that crashed, when fileblob writes
// them beside the final files): Sweep removes those last written before
// before. For other buckets it does nothing; an object store either commits
// an upload or never shows it.
func (s *store) Sweep(ctx context.Context, before time.Time) (n int, size int64, err error) {
	if err := s.check(ctx); err != nil {
		return 0, 0, err
	}
	if s.suffix == "" {
		return 0, 0, nil
	}
	it := s.b.List(&blob.ListOptions{})
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			return n, size, nil
		}
		if err != nil {
			return n, size, wrap("sweep", "", err)
		}
		if obj.IsDir || !tmpName.MatchString(obj.Key) || !obj.ModTime.Before(before) {
			continue
		}
		if err := s.b.Delete(ctx, obj.Key); err != nil {
			if gcerrors.Code(err) == gcerrors.NotFound {
				continue // renamed or removed since it was listed
			}
			return n, size, wrap("sweep", obj.Key, err)
		}
		n++
		size += obj.Size
	}
}
