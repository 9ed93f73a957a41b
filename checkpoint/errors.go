package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
)

var (
	// ErrNotFound is matched (with errors.Is) by the error of an operation
	// on a key under which nothing is stored. Such errors match
	// fs.ErrNotExist too, so code that treats a missing file as "no
	// checkpoint" treats a missing key the same way.
	ErrNotFound = errors.New("checkpoint: not found")

	// ErrCorrupt is matched (with errors.Is) by every *CorruptError: a
	// torn, truncated or damaged checkpoint, a bad checksum, a wrong magic
	// or an unknown format version. No value is ever returned with it; the
	// caller recomputes.
	ErrCorrupt = errors.New("checkpoint: corrupt checkpoint")

	// ErrUnknownVersion is matched (with errors.Is), along with ErrCorrupt,
	// by the error for a frame whose format version this build does not
	// know: written by a newer cairn, or damaged.
	ErrUnknownVersion = errors.New("checkpoint: unknown frame format version")

	// ErrClosed is returned by the methods of a Store after Close.
	ErrClosed = errors.New("checkpoint: store is closed")

	// ErrInvalidKey is matched (with errors.Is) by the error of
	// ValidateKey, and of every Store method given an invalid key.
	ErrInvalidKey = errors.New("checkpoint: invalid key")

	// ErrNoStore is matched (with errors.Is) by every *NoStoreError: the
	// error of OpenExisting, or of Open with create=false, for a store
	// that does not exist.
	ErrNoStore = errors.New("checkpoint: no such store")
)

// NoStoreError reports that a URL names no existing store, when it was
// opened with create=false (OpenExisting). It matches ErrNoStore with
// errors.Is. A driver returns one with Reason set; Open fills in URL.
type NoStoreError struct {
	// URL is the store's URL as the caller gave it, password redacted.
	URL string
	// Reason says what is missing, for people: "directory /x does not
	// exist".
	Reason string
}

// Error returns a message naming the URL and what is missing.
func (e *NoStoreError) Error() string {
	if e.URL == "" {
		return "checkpoint: no such store: " + e.Reason
	}
	return fmt.Sprintf("checkpoint: no store at %s: %s", e.URL, e.Reason)
}

// Is reports whether target is ErrNoStore.
func (e *NoStoreError) Is(target error) bool { return target == ErrNoStore }

// redacted returns urlstr with any password replaced by "xxxxx".
func redacted(urlstr string) string {
	u, err := url.Parse(urlstr)
	if err != nil || u.User == nil {
		return urlstr
	}
	if _, has := u.User.Password(); !has {
		return urlstr
	}
	return u.Redacted()
}

// CorruptError reports a checkpoint that cannot be trusted: torn, truncated,
// damaged, with a bad checksum, a wrong magic or an unknown format version.
// It matches ErrCorrupt with errors.Is, and also its cause where it has one
// (ErrUnknownVersion, codec.ErrCorrupt).
type CorruptError struct {
	// Key is the checkpoint's key, or the file's path for ReadFile.
	Key string
	// Reason says what is wrong, for people.
	Reason string
	// Err is the underlying cause, or nil.
	Err error
}

// Error returns a message naming the key and the reason.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("checkpoint: corrupt checkpoint %q: %s", e.Key, e.Reason)
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap returns the underlying cause, or nil.
func (e *CorruptError) Unwrap() error { return e.Err }

// corruptf returns a *CorruptError without a key, which the caller fills in.
func corruptf(cause error, format string, args ...any) *CorruptError {
	return &CorruptError{Reason: fmt.Sprintf(format, args...), Err: cause}
}

// withKey fills in the key of err if it is a *CorruptError, and returns err.
func withKey(err error, key string) error {
	var ce *CorruptError
	if errors.As(err, &ce) && ce.Key == "" {
		ce.Key = key
	}
	return err
}

// notFoundError is the error for an absent key or file.
type notFoundError struct {
	key string
	err error // the driver's or file system's error
}

func (e *notFoundError) Error() string {
	return fmt.Sprintf("checkpoint: no checkpoint under %q", e.key)
}

// Is reports whether target is ErrNotFound or fs.ErrNotExist.
func (e *notFoundError) Is(target error) bool {
	return target == ErrNotFound || target == fs.ErrNotExist
}

func (e *notFoundError) Unwrap() error { return e.err }

// wrapErr wraps a driver error once with the operation and key: an absent
// entry becomes an ErrNotFound error, a context error stays matchable, and
// a *CorruptError, which a driver returns for an entry it found damaged,
// is passed on as it is (it names the key already).
func wrapErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return &notFoundError{key: key, err: err}
	}
	if _, ok := err.(*CorruptError); ok {
		return withKey(err, key)
	}
	return fmt.Errorf("checkpoint: %s %q: %w", op, key, err)
}
