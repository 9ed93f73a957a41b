package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// headProbe is how many bytes Stat reads first: enough for the header and a
// typical meta.
const headProbe = 4096

// readInfo reads the header and meta of the entry a describes.
func (s *Store) readInfo(ctx context.Context, a driver.Attrs) (Info, error) {
	b, err := s.readHead(ctx, a)
	if err != nil {
		return Info{}, wrapErr("stat", a.Key, err)
	}
	h, m, err := decodeHead(b)
	if err == nil {
		err = h.checkSize(a.Size)
	}
	if err != nil {
		return Info{}, withKey(err, a.Key)
	}
	return Info{Meta: m, Size: a.Size, Codec: h.codec, Compressed: h.compressed, ModTime: a.ModTime}, nil
}

// readHead returns at least the header and meta of the entry a describes,
// or the whole entry if it is shorter.
func (s *Store) readHead(ctx context.Context, a driver.Attrs) ([]byte, error) {
	rg, ok := s.d.(driver.RangeGetter)
	if !ok || a.Size <= headProbe {
		return s.d.Get(ctx, a.Key)
	}
	b, err := rg.GetRange(ctx, a.Key, 0, headProbe)
	if err != nil {
		return nil, err
	}
	if n := headLen(b); n > len(b) && len(b) == headProbe {
		return rg.GetRange(ctx, a.Key, 0, int64(n))
	}
	return b, nil
}

// List calls fn with the Info of each checkpoint whose key has the prefix, in
// no particular order, until fn returns an error, which List returns. It
// reads each entry's header and meta (not its payload where the driver
// allows); an entry whose header cannot be read is passed with Info.Err set
// rather than stopping the listing.
func (s *Store) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	attrs, err := s.listAttrs(ctx, prefix)
	if err != nil {
		return err
	}
	for _, a := range attrs {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := s.readInfo(ctx, a)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted since it was listed
		}
		if err != nil {
			info = Info{Meta: Meta{Key: a.Key}, Size: a.Size, ModTime: a.ModTime, Err: err}
		}
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}

// listAttrs returns the driver's attributes of the user entries with the
// prefix. It collects them before any other driver call, so that a driver
// need not allow calls from inside its List callback.
func (s *Store) listAttrs(ctx context.Context, prefix string) ([]driver.Attrs, error) {
	var (
		mu    sync.Mutex // a driver may call fn from several goroutines
		attrs []driver.Attrs
	)
	err := s.d.List(ctx, prefix, func(a driver.Attrs) error {
		mu.Lock()
		defer mu.Unlock()
		if !strings.HasPrefix(a.Key, internalPrefix) {
			attrs = append(attrs, a)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checkpoint: list %q: %w", prefix, err)
	}
	return attrs, nil
}
