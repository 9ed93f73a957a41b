package codec

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"sync"
	"unsafe"
)

// fpVersion starts every fingerprint; bump it when the encoding changes, so
// that old and new fingerprints never collide.
const fpVersion = 1

// maxFingerprintDepth bounds nesting, so that a pathological value fails
// cleanly instead of exhausting the stack.
const maxFingerprintDepth = 10000

// flushAt is the buffered size above which output goes to the writer.
const flushAt = 32 << 10

// Fingerprint writes a deterministic, type-tagged encoding of v to w, for
// content-hashing literal arguments into checkpoint keys; w is typically a
// hash.Hash.
//
// Equal values give equal bytes in every run, on every machine and
// platform (int is always 64 bits, byte order is fixed); values of
// different types give different bytes (int64(1) and float64(1) differ,
// and so do types named alike in different packages). The encoding is
// self-delimiting, so fingerprints of several arguments can be written to
// one hash back to back.
//
// Numeric and bool slices are written as their raw little-endian bytes
// (zero copy on little-endian machines); floats by their bits, so -0 and +0
// differ and NaN payloads are kept. Strings, slices, arrays, structs (all
// fields, unexported ones too), pointers (what they point to, not the
// address) and interfaces (dynamic type and value) are walked; map entries
// are sorted by their encoding. *mat.Dense and *mat.VecDense are written as
// by Marshal, types added with Register by their encoder, and other types
// that implement encoding.BinaryMarshaler or encoding.TextMarshaler by that
// method.
//
// Non-nil funcs, channels and unsafe pointers, cyclic values and nesting
// deeper than 10000 levels cannot be fingerprinted: the error wraps
// ErrNotFingerprintable. An error from a marshaler method does too. Errors
// from w are returned as they are, wrapped once. After an error, w may have
// received part of the encoding: discard it.
//
// Fingerprint hashes values that Marshal refuses with ErrUnfaithful, such
// as structs with unexported fields, and hashes those fields: a key names a
// computation and its inputs, and inputs that differ only in an unexported
// field must get different keys. A key says nothing about whether a value
// can be stored under it. Whoever stores one (the scheduler, for a thunk's
// result) must Marshal it and store nothing when that fails, so that the
// key has no checkpoint and the computation runs again; and Unmarshal
// refuses Gob data asked for as a type that gob cannot carry faithfully,
// so a value that an older cairn stored without its unexported fields is
// not restored either. Everything Fingerprint refuses, Marshal refuses
// too, except values nested deeper than 10000 levels.
func Fingerprint(w io.Writer, v any) error {
	e := encoders.Get().(*fpEncoder)
	e.w, e.buf, e.err, e.depth = w, append(e.buf[:0], fpVersion), nil, 0
	if !e.fast(v) {
		e.walk(v)
	}
	e.flush()
	err := e.err
	e.w, e.err = nil, nil
	clear(e.path)
	if cap(e.buf) <= 64<<10 {
		encoders.Put(e)
	}
	return err
}

// AppendFingerprint appends v's fingerprint, the bytes Fingerprint writes,
// to b and returns the extended slice. Keys hash many small arguments:
// ints, seeds, shapes and strings are appended without reflection or an
// io.Writer between. Errors are Fingerprint's; after one, discard the
// result.
func AppendFingerprint(b []byte, v any) ([]byte, error) {
	e := fpEncoder{buf: append(b, fpVersion)}
	if e.fast(v) {
		return e.buf, nil
	}
	w := appender{b}
	err := Fingerprint(&w, v)
	return w.b, err
}

// appender is an io.Writer that appends to a slice.
type appender struct{ b []byte }

func (a *appender) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

// encoders keeps fpEncoders and their buffers for reuse: keys hash many
// small arguments.
var encoders = sync.Pool{New: func() any { return &fpEncoder{buf: make([]byte, 0, 512)} }}

// walk writes v by reflection (after the version byte).
func (e *fpEncoder) walk(v any) {
	if v == nil {
		e.buf = append(e.buf, 0)
		return
	}
	rv := reflect.ValueOf(v)
	p := reflect.New(rv.Type()) // addressable, so floats are read bit-exactly
	p.Elem().Set(rv)
	e.buf = append(e.buf, 1)
	e.typeName(rv.Type())
	e.value(p.Elem())
}

// fast writes the argument types that keys hash most (darray's seeds,
// shapes and origins), with the bytes walk would write, without
// reflection; it reports whether v was one of them.
func (e *fpEncoder) fast(v any) bool {
	switch x := v.(type) {
	case int:
		e.buf = append(e.buf, 1, 3, 'i', 'n', 't')
		e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(x))
	case int64:
		e.buf = append(e.buf, 1, 5, 'i', 'n', 't', '6', '4')
		e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(x))
	case uint64:
		e.buf = append(e.buf, 1, 6, 'u', 'i', 'n', 't', '6', '4')
		e.buf = binary.LittleEndian.AppendUint64(e.buf, x)
	case float64:
		e.buf = append(e.buf, 1, 7, 'f', 'l', 'o', 'a', 't', '6', '4')
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(x))
	case string:
		e.buf = append(e.buf, 1, 6, 's', 't', 'r', 'i', 'n', 'g')
		e.uvarint(uint64(len(x)))
		e.raw(unsafe.Slice(unsafe.StringData(x), len(x)))
	case []int:
		if strconv.IntSize != 64 {
			return false
		}
		e.buf = append(e.buf, 1, 5, '[', ']', 'i', 'n', 't')
		if x == nil {
			e.buf = append(e.buf, 0)
			break
		}
		e.buf = append(e.buf, 1)
		e.uvarint(uint64(len(x)))
		e.raw(encodeRaw(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), 8*len(x)), 8))
	default:
		return false
	}
	return true
}

// fpEncoder writes a fingerprint. With a nil w it only collects into buf
// (used to sort map entries).
type fpEncoder struct {
	w     io.Writer
	buf   []byte
	err   error
	depth int
	path  map[visit]bool // containers on the current path, to detect cycles
}

// visit identifies a pointer, map or slice on the current path.
type visit struct {
	p   unsafe.Pointer
	t   reflect.Type
	len int
}

func (e *fpEncoder) flush() {
	if e.w == nil || e.err != nil || len(e.buf) == 0 {
		return
	}
	if _, err := e.w.Write(e.buf); err != nil {
		e.err = fmt.Errorf("codec: fingerprint: %w", err)
	}
	e.buf = e.buf[:0]
}

func (e *fpEncoder) uvarint(x uint64) { e.buf = binary.AppendUvarint(e.buf, x) }

// raw appends b, writing large blocks straight through to w.
func (e *fpEncoder) raw(b []byte) {
	if e.w != nil && len(b) >= flushAt {
		e.flush()
		if e.err == nil {
			if _, err := e.w.Write(b); err != nil {
				e.err = fmt.Errorf("codec: fingerprint: %w", err)
			}
		}
		return
	}
	e.buf = append(e.buf, b...)
	if e.w != nil && len(e.buf) >= flushAt {
		e.flush()
	}
}

// lp appends b preceded by its length.
func (e *fpEncoder) lp(b []byte) {
	e.uvarint(uint64(len(b)))
	e.raw(b)
}

func (e *fpEncoder) typeName(t reflect.Type) {
	n := typeName(t)
	e.uvarint(uint64(len(n)))
	e.buf = append(e.buf, n...)
}

func (e *fpEncoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("%w: %s", ErrNotFingerprintable, fmt.Sprintf(format, args...))
	}
}
