package codec

import (
	"errors"
	"fmt"
)

var (
	// ErrCorrupt is reported, wrapped, for malformed, truncated or
	// implausible input to Unmarshal: a payload length that is not a
	// multiple of the element size, a length field claiming more than the
	// remaining bytes hold, trailing bytes, an out-of-range bool, or a gob
	// stream that does not decode. Callers should treat the data as lost
	// and recompute it.
	ErrCorrupt = errors.New("codec: corrupt data")

	// ErrUnknownID is reported, wrapped, by Unmarshal for an ID that names
	// no codec in this binary: usually a Register'ed codec whose package was
	// not imported, or data written by a newer version of cairn.
	ErrUnknownID = errors.New("codec: unknown codec ID")

	// ErrTypeMismatch is reported, wrapped, by Unmarshal when the data is
	// well formed but cannot become a value of the requested type, for
	// example Float64s data asked for as a string, or Gob data with no
	// concrete type to decode into.
	ErrTypeMismatch = errors.New("codec: type mismatch")

	// ErrNotFingerprintable is reported, wrapped, by Fingerprint for values
	// that have no deterministic content encoding: non-nil funcs, channels
	// and unsafe pointers, and cyclic data structures. Give such arguments
	// an explicit checkpoint key instead.
	ErrNotFingerprintable = errors.New("codec: value cannot be fingerprinted")

	// ErrUnfaithful is matched by every *UnfaithfulError: Marshal,
	// Check and CheckValue report it for a value that the codec could not
	// give back as it was (a struct with an unexported field, a func, a
	// cycle; the package documentation has the rule), and Unmarshal for
	// Gob data asked for as such a type.
	ErrUnfaithful = errors.New("codec: value cannot be stored faithfully")
)

// corruptf returns an error that wraps ErrCorrupt and says what is wrong.
func corruptf(id ID, format string, args ...any) error {
	return fmt.Errorf("%w: %v: %s", ErrCorrupt, id, fmt.Sprintf(format, args...))
}
