package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/codec"
	"github.com/cairnlabs/cairn/internal/inflight"
)

// Compression selects how a Store compresses payloads.
type Compression int

const (
	// CompressionDefault follows the driver's preference
	// (driver.Preferrer): zstd for mem://, none for file:// and drivers
	// that state none.
	CompressionDefault Compression = iota
	// CompressionNone stores payloads as the codec encodes them.
	CompressionNone
	// CompressionZstd compresses payloads with zstd, and stores a payload
	// uncompressed when compression would not make it smaller.
	CompressionZstd
)

// Options configure a Store. The zero value (and a nil *Options) gives the
// defaults documented on each field.
type Options struct {
	// Compression selects payload compression. Default: CompressionDefault,
	// the driver's preference (zstd in RAM, none on disk).
	Compression Compression

	// Logger receives warnings about best-effort bookkeeping that failed
	// without failing the operation (recording a read time or a run).
	// Default: slog.Default().
	Logger *slog.Logger

	// Now returns the current time, for Meta.Created, read times and
	// garbage collection. Default: time.Now.
	Now func() time.Time
}

// Meta describes a checkpoint; it is stored in the frame with the value.
type Meta struct {
	// Key is the key the checkpoint is stored under; Put sets it.
	Key string
	// Thunk names the thunk whose result this is, for people.
	Thunk string
	// Func is the stable name of the thunk's function.
	Func string
	// Version is the function's version.
	Version string
	// Run is the run that wrote the checkpoint. Put defaults it to the run
	// of its context (WithRun).
	Run string
	// Created is when the checkpoint was written. Put defaults it to now.
	Created time.Time
}

// Info describes a stored checkpoint.
type Info struct {
	Meta
	// Size is the number of bytes stored: the whole frame.
	Size int64
	// Codec is the codec that encoded the value.
	Codec codec.ID
	// Compressed reports whether the payload is stored zstd-compressed.
	Compressed bool
	// ModTime is when the entry was last written, or read where the driver
	// records reads (driver.Toucher). It is zero in the Info of Get.
	ModTime time.Time
	// Err is set, by List only, when the entry's header cannot be read (a
	// *CorruptError, typically); Meta then holds only the key, and Size and
	// ModTime what the driver reported.
	Err error
}

// Store is a checkpoint store: values under keys, in a driver's storage.
// Each value is encoded by the codec and stored in a frame with its Meta and
// checksums (see the package documentation), so that a damaged checkpoint is
// detected rather than returned. A Store is safe for concurrent use, and
// several processes may share the storage of one URL.
type Store struct {
	d        driver.Driver
	url      string // as given to Open; "" for New
	compress bool
	log      *slog.Logger
	now      func() time.Time
	closed   atomic.Bool
	recorded sync.Map         // run bookkeeping already written by this Store: marker key -> struct{}
	reads    readLog          // reads by runs, kept in memory until FlushReads
	pending  inflight.Counter // run records being written
}

// New returns a Store over the driver d. A nil opts means the defaults. The
// Store owns d: Store.Close closes it.
func New(d driver.Driver, opts *Options) *Store {
	var o Options
	if opts != nil {
		o = *opts
	}
	s := &Store{d: d, log: o.Logger, now: o.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	switch o.Compression {
	case CompressionZstd:
		s.compress = true
	case CompressionDefault:
		if p, ok := d.(driver.Preferrer); ok {
			s.compress = p.Prefer().Compress
		}
	}
	return s
}

// Driver returns the driver the Store uses, for its optional interfaces:
// the API for tools and tests that work below the Store (the file store's
// pack maintenance, say). Reading or writing entries through it bypasses
// the Store's framing and checksums.
func (s *Store) Driver() driver.Driver { return s.d }

// check validates key and reports a closed Store or a done context.
func (s *Store) check(ctx context.Context, key string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if err := ValidateKey(key); err != nil {
		return err
	}
	return ctx.Err()
}

// Put encodes v and stores it under key, atomically: a concurrent or later
// Get sees the old checkpoint or the whole new one. meta.Key is set to key;
// an empty meta.Run defaults to the context's run (WithRun) and a zero
// meta.Created to now. The returned Info's ModTime is the time of the Put.
func (s *Store) Put(ctx context.Context, key string, v any, meta Meta) (Info, error) {
	if err := s.check(ctx, key); err != nil {
		return Info{}, err
	}
	meta.Key = key
	if meta.Run == "" {
		meta.Run = RunFromContext(ctx)
	}
	now := s.now()
	if meta.Created.IsZero() {
		meta.Created = now
	}
	f, err := encodeFrame(v, &meta, s.compress)
	if err != nil {
		return Info{}, fmt.Errorf("checkpoint: put %q: %w", key, err)
	}
	if err := s.d.Put(ctx, key, f.reader(), f.size()); err != nil {
		return Info{}, wrapErr("put", key, err)
	}
	s.recordRun(ctx, meta.Run)
	return Info{Meta: meta, Size: f.size(), Codec: f.h.codec, Compressed: f.h.compressed, ModTime: now}, nil
}

// Get returns the value stored under key, decoded as typ (nil: the value's
// natural type, see codec.Unmarshal), and its Info.
//
// An absent key gives an error that matches both ErrNotFound and
// fs.ErrNotExist. A torn, truncated or damaged checkpoint gives a
// *CorruptError (matching ErrCorrupt) and never a value; the caller reports
// it and recomputes. A successful Get records the read for garbage
// collection: a read time where the driver supports it (driver.Toucher), and
// the context's run (WithRun).
func (s *Store) Get(ctx context.Context, key string, typ reflect.Type) (any, Info, error) {
	if err := s.check(ctx, key); err != nil {
		return nil, Info{}, err
	}
	b, err := s.d.Get(ctx, key)
	if err != nil {
		return nil, Info{}, wrapErr("get", key, err)
	}
	v, info, err := decodeValue(b, typ, key)
	if err != nil {
		return nil, Info{}, withKey(err, key)
	}
	if info.Key != key {
		return nil, Info{}, &CorruptError{Key: key, Reason: fmt.Sprintf("the frame belongs to key %q (moved or copied by hand?)", info.Key)}
	}
	s.recordRead(ctx, key)
	return v, info, nil
}

// Stat returns the Info of the checkpoint under key, reading its header and
// meta but not its payload where the driver allows (driver.RangeGetter). Its
// errors are those of Get; a payload checksum is not checked (see Verify).
func (s *Store) Stat(ctx context.Context, key string) (Info, error) {
	if err := s.check(ctx, key); err != nil {
		return Info{}, err
	}
	for attempt := 0; ; attempt++ {
		a, err := s.d.Stat(ctx, key)
		if err != nil {
			return Info{}, wrapErr("stat", key, err)
		}
		info, err := s.readInfo(ctx, a)
		var ce *CorruptError
		if attempt == 0 && errors.As(err, &ce) {
			continue // perhaps overwritten between Stat and the read: look again
		}
		return info, err
	}
}

// Delete removes the checkpoint under key; deleting an absent key is not an
// error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx, key); err != nil {
		return err
	}
	return wrapErr("delete", key, s.d.Delete(ctx, key))
}

// Verify reads the whole checkpoint under key and checks its frame: both
// checksums, its lengths, and that a compressed payload decompresses to its
// recorded length. It returns nil, an error matching ErrNotFound, or a
// *CorruptError.
func (s *Store) Verify(ctx context.Context, key string) error {
	if err := s.check(ctx, key); err != nil {
		return err
	}
	b, err := s.d.Get(ctx, key)
	if err != nil {
		return wrapErr("verify", key, err)
	}
	h, m, payload, err := decodeFrame(b)
	if err == nil && h.compressed {
		_, err = decompress(payload, h.rawLen)
	}
	if err == nil && m.Key != key {
		err = corruptf(nil, "the frame belongs to key %q (moved or copied by hand?)", m.Key)
	}
	return withKey(err, key)
}

// Close writes the read records still in memory (see FlushReads), then
// closes the Store and its driver. Other methods then return ErrClosed; a
// second Close returns ErrClosed.
func (s *Store) Close() error {
	if s.closed.Load() {
		return ErrClosed
	}
	s.FlushReads(context.Background())
	if s.closed.Swap(true) {
		return ErrClosed
	}
	if err := s.d.Close(); err != nil {
		return fmt.Errorf("checkpoint: close: %w", err)
	}
	return nil
}
