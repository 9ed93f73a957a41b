package natsstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// store is a driver.Driver over a JetStream object store.
type store struct {
	bucket string
	obs    jetstream.ObjectStore
	stream jetstream.Stream // the bucket's stream, OBJ_<bucket>, for chunk reads and Sweep
	nc     *nats.Conn       // closed by Close when the driver opened it (Open)
	closed atomic.Bool
}

// New returns a driver.Driver that stores entries as objects of the
// JetStream object store bucket, creating the bucket (file storage, one
// replica) if it does not exist. Bucket names are letters, digits, '-' and
// '_'.
//
// The caller keeps ownership of js and its connection: closing the driver
// does not close them. The driver is safe for concurrent use by multiple
// goroutines, and several processes may use the same bucket at once.
func New(ctx context.Context, js jetstream.JetStream, bucket string) (driver.Driver, error) {
	return newStore(ctx, js, jetstream.ObjectStoreConfig{Bucket: bucket}, true)
}

// newStore binds to the bucket cfg names, creating it with cfg if missing
// and create is set, and otherwise reporting a *checkpoint.NoStoreError.
func newStore(ctx context.Context, js jetstream.JetStream, cfg jetstream.ObjectStoreConfig, create bool) (*store, error) {
	if !validBucket(cfg.Bucket) {
		return nil, fmt.Errorf("natsstore: bad bucket name %q: use letters, digits, '-' and '_'", cfg.Bucket)
	}
	obs, err := js.ObjectStore(ctx, cfg.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) && !create {
		return nil, &checkpoint.NoStoreError{Reason: fmt.Sprintf("the server has no object store bucket %q", cfg.Bucket)}
	}
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		obs, err = js.CreateObjectStore(ctx, cfg)
		if err != nil {
			// Another process may have created it meanwhile.
			if o, err2 := js.ObjectStore(ctx, cfg.Bucket); err2 == nil {
				obs, err = o, nil
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("natsstore: bucket %q: %w", cfg.Bucket, err)
	}
	stream, err := js.Stream(ctx, "OBJ_"+cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("natsstore: bucket %q: stream: %w", cfg.Bucket, err)
	}
	return &store{bucket: cfg.Bucket, obs: obs, stream: stream}, nil
}

// validBucket reports whether name is a valid object store bucket name.
func validBucket(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// check returns an error once the store is closed or ctx is done.
func (s *store) check(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("natsstore: %w", fs.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("natsstore: %w", err)
	}
	return nil
}

// wrap wraps err from operation op on key once, mapping
// jetstream.ErrObjectNotFound to fs.ErrNotExist (and keeping both).
func wrap(op, key string, err error) error {
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return fmt.Errorf("natsstore: %s %q: %w (%w)", op, key, fs.ErrNotExist, err)
	}
	return fmt.Errorf("natsstore: %s %q: %w", op, key, err)
}

// Put implements driver.Driver. The object store writes the chunks under a
// fresh id and then the object's meta record in one message, which is what
// readers look up: a failed Put (its chunks are purged) or one still
// running is never seen, and the old chunks are purged only after the new
// meta record is stored.
func (s *store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("natsstore: put %q: negative size %d", key, size)
	}
	sr := &sizedReader{r: r, left: size}
	if _, err := s.obs.Put(ctx, jetstream.ObjectMeta{Name: key}, sr); err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return wrap("put", key, err)
	}
	return nil
}

// sizedReader passes on exactly left bytes of r and fails if r ends early
// or has more.
type sizedReader struct {
	r    io.Reader
	left int64
}

func (sr *sizedReader) Read(p []byte) (int, error) {
	if sr.left == 0 {
		var one [1]byte
		for {
			n, err := sr.r.Read(one[:])
			if n > 0 {
				return 0, errors.New("reader gave more bytes than the size")
			}
			if err != nil {
				return 0, err // io.EOF: exactly size bytes, as wanted
			}
		}
	}
	if int64(len(p)) > sr.left {
		p = p[:sr.left]
	}
	n, err := sr.r.Read(p)
	sr.left -= int64(n)
	if err == io.EOF && sr.left > 0 {
		err = fmt.Errorf("reader ended %d bytes short of the size: %w", sr.left, io.ErrUnexpectedEOF)
	} else if err == io.EOF {
		err = nil // the next Read checks that r has nothing more
	}
	return n, err
}

// Stat implements driver.Driver.
func (s *store) Stat(ctx context.Context, key string) (driver.Attrs, error) {
	if err := s.check(ctx); err != nil {
		return driver.Attrs{}, err
	}
	info, err := s.obs.GetInfo(ctx, key)
	if err != nil {
		return driver.Attrs{}, wrap("stat", key, err)
	}
	return attrs(info), nil
}

// attrs returns the driver.Attrs of an object.
func attrs(info *jetstream.ObjectInfo) driver.Attrs {
	return driver.Attrs{Key: info.Name, Size: int64(info.Size), ModTime: info.ModTime}
}

// Delete implements driver.Driver.
func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := s.obs.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return wrap("delete", key, err)
	}
	return nil
}

// List implements driver.Driver. The object store has no server-side
// prefix filter, so List reads every object's meta record (not its data)
// and filters them here.
func (s *store) List(ctx context.Context, prefix string, fn func(driver.Attrs) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	infos, err := s.obs.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return nil
	}
	if err != nil {
		return wrap("list", prefix, err)
	}
	for _, info := range infos {
		if info.Deleted || info.Opts != nil && info.Opts.Link != nil || !strings.HasPrefix(info.Name, prefix) {
			continue
		}
		if err := fn(attrs(info)); err != nil {
			return err
		}
	}
	return nil
}

// Close implements driver.Driver. It closes the NATS connection only when
// the driver opened it (Open). A second Close returns nil.
func (s *store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.nc != nil {
		s.nc.Close()
	}
	return nil
}
