package driver

import (
	"context"
	"io"
	"time"
)

// Attrs describes one stored entry.
type Attrs struct {
	// Key is the entry's key, exactly as it was given to Put.
	Key string
	// Size is the number of bytes stored under Key.
	Size int64
	// ModTime is when the entry was last written, as the backend records it.
	ModTime time.Time
}

// Driver is what a checkpoint store backend implements.
//
// Keys are already validated by the Store: [A-Za-z0-9._-] and '/' separated
// segments, no ".." (nor ".", nor empty) segment, no leading '/', at most 512
// bytes, each segment at most 200 bytes. A driver may rely on that and need
// not validate keys again. A key may be both an entry and a prefix of other
// entries ("a" and "a/b" may both exist).
//
// All methods must be safe for concurrent use by multiple goroutines, and a
// driver whose storage is shared (a directory, a bucket, a database) must
// stay correct when several processes use it at once. Blocking methods
// should return promptly with ctx.Err() (possibly wrapped) once ctx is done.
//
// Errors for an absent entry must satisfy errors.Is(err, fs.ErrNotExist). A
// driver that finds an entry damaged by checks of its own (a checksum of
// its storage's) returns a *checkpoint.CorruptError naming the key from Get
// and GetRange, which the Store passes on as it is: the caller then reports
// a failed restore and recomputes, as for a damaged frame, rather than take
// it for a miss. Other errors are reported to the user as they are, so they
// should name the backend and the key.
type Driver interface {
	// Put stores size bytes read from r under key, atomically: a concurrent
	// or later Get sees either the old entry, or all of the new one, never a
	// part. Several processes may Put the same key at once; one of them
	// wins. If r yields fewer or more than size bytes, Put fails and leaves
	// the old entry (if any) as it was.
	Put(ctx context.Context, key string, r io.Reader, size int64) error

	// Get returns the bytes stored under key, or an error that
	// errors.Is(err, fs.ErrNotExist). The caller owns the returned slice.
	Get(ctx context.Context, key string) ([]byte, error)

	// Stat returns the entry's attributes, or an error that
	// errors.Is(err, fs.ErrNotExist).
	Stat(ctx context.Context, key string) (Attrs, error)

	// Delete removes key; deleting an absent key returns nil.
	Delete(ctx context.Context, key string) error

	// List calls fn for each entry whose key has the prefix, in no
	// particular order; fn's error stops it and is returned unchanged. The
	// empty prefix lists every entry. Entries written or deleted while List
	// runs may or may not be seen. Incomplete writes (temporary files and
	// the like) are never listed.
	List(ctx context.Context, prefix string, fn func(Attrs) error) error

	// Close releases the driver's resources. Calls after Close fail; a
	// second Close returns nil or an error, but never panics.
	Close() error
}

// Toucher is an optional interface a Driver may implement to record that an
// entry was read, for least-recently-used garbage collection. The Store calls
// Touch after each successful Get; a Touch error is logged and otherwise
// ignored.
type Toucher interface {
	// Touch sets the entry's ModTime to t, as touch(1) does, so that Stat
	// and List report the last time the entry was written or read. Touching
	// an absent key returns nil or an error that errors.Is(err,
	// fs.ErrNotExist).
	Touch(ctx context.Context, key string, t time.Time) error
}

// RangeGetter is an optional interface a Driver may implement to read part of
// an entry. The Store uses it to read a frame's header and metadata without
// its payload (Store.Stat, Store.List, garbage collection by run).
type RangeGetter interface {
	// GetRange returns at most length bytes of the entry stored under key,
	// starting at offset: fewer when the entry ends first, none when offset
	// is at or past its end. An absent entry gives an error that
	// errors.Is(err, fs.ErrNotExist).
	GetRange(ctx context.Context, key string, offset, length int64) ([]byte, error)
}

// Sweeper is an optional interface a Driver may implement when an interrupted
// Put can leave something behind (a temporary file of a writer that crashed).
// The Store's garbage collection calls it.
type Sweeper interface {
	// Sweep removes what Puts that started before the given time and never
	// finished left behind, and returns how many such leftovers it removed
	// and their total size in bytes. It never touches complete entries or
	// the temporaries of Puts still in progress after that time.
	Sweep(ctx context.Context, before time.Time) (n int, size int64, err error)
}

// Preferrer is an optional interface a Driver may implement to suggest
// defaults that the Store applies where its Options leave a choice unset.
type Preferrer interface {
	// Prefer returns the driver's suggested defaults.
	Prefer() Preferences
}

// Preferences are defaults a driver suggests to the Store.
type Preferences struct {
	// Compress asks that payloads be compressed by default, because storage
	// is dear (RAM) or bandwidth is slow, rather than because of the data.
	Compress bool
}

// DamageReporter is an optional interface a Driver may implement when its
// storage can hold damage that Get of a key does not show: a damaged record
// whose key cannot be read, or a damaged older version of a key. The
// Store's Damage (and `cairn ckpt verify`) calls it.
type DamageReporter interface {
	// Damage calls fn for each damaged record in the storage, until fn
	// returns an error, which Damage returns unchanged. It reads what it
	// needs to find all of them (as a Get would), not the entries' data.
	Damage(ctx context.Context, fn func(Damage) error) error
}

// Damage describes one damaged record in a driver's storage.
type Damage struct {
	// Key is the key the record was written under, or "" when the damage
	// hit what names it, so that it cannot be read.
	Key string
	// Where names the damaged bytes for people: a file and an offset.
	Where string
	// Current reports whether the record held Key's newest version: Get
	// of Key then fails with a *checkpoint.CorruptError, and List lists it.
	Current bool
	// Detail says what was damaged and what was lost with it, for people.
	Detail string
}
