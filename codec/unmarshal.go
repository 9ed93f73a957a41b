package codec

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unsafe"
)

// Unmarshal decodes data that Marshal produced with id.
//
// typ is the Go type the caller wants back, for example a function's result
// type. A nil typ asks for the codec's natural type ([]float64 for
// Float64s, *mat.Dense for Dense, T for a codec Register'ed for T). An
// interface typ that the natural type implements (any, mat.Matrix) also
// gives the natural type. A named type with the natural type's underlying
// kind (type Celsius float64, type Vec []float64, []Celsius) is converted
// without copying. Nil data decodes to the zero value of a pointer, slice,
// map, func, chan or interface typ, and to nil for a nil typ. Gob needs a
// concrete typ: the value is decoded into reflect.New(typ).
//
// Ownership: callers hand data over. Numeric and bool slices, []byte,
// *mat.Dense and *mat.VecDense results alias data when it is suitably
// aligned (always for a fresh allocation on little-endian machines), so data
// must not be modified or reused afterwards. Strings are always copied.
//
// Errors wrap ErrCorrupt for malformed input, ErrUnknownID for an ID that
// names no codec in this binary, and ErrTypeMismatch when the data cannot
// become a typ. Gob data asked for as a type that gob cannot carry
// faithfully (see Check; a Register'ed codec does not help here) gives an
// *UnfaithfulError, since whatever wrote it lost part of the value.
// Unmarshal never panics, and never allocates much more than a small
// multiple of len(data) (see the package documentation).
func Unmarshal(id ID, data []byte, typ reflect.Type) (any, error) {
	switch {
	case id == Gob:
		return unmarshalGob(data, typ)
	case id == Nil:
		if len(data) != 0 {
			return nil, corruptf(id, "payload of %d bytes, want 0", len(data))
		}
		if typ == nil {
			return nil, nil
		}
		switch typ.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface, reflect.UnsafePointer:
			return reflect.Zero(typ).Interface(), nil
		}
		return nil, fmt.Errorf("%w: cannot decode %v into %v, which cannot be nil", ErrTypeMismatch, id, typ)
	case isBuiltin(id):
		nat := builtins[id].natural
		if !compatible(nat, typ) {
			return nil, mismatch(id, nat, typ)
		}
		v, err := decodeBuiltin(id, data)
		if err != nil {
			return nil, err
		}
		return convert(v, nat, typ), nil
	case id >= MinExtension:
		e := lookupID(id)
		if e == nil {
			return nil, fmt.Errorf("%w: %v is not registered in this binary (forgotten import of the package that calls codec.Register?)", ErrUnknownID, id)
		}
		if !compatible(e.typ, typ) {
			return nil, mismatch(id, e.typ, typ)
		}
		v, err := e.unmarshal(data)
		if err != nil {
			return nil, err
		}
		return convert(v, e.typ, typ), nil
	case id == Invalid:
		return nil, corruptf(id, "the Invalid codec ID never names data")
	}
	return nil, fmt.Errorf("%w: %v (data from a newer version of cairn?)", ErrUnknownID, id)
}

// compatible reports whether a value of the natural type nat can be returned
// for the requested type typ.
func compatible(nat, typ reflect.Type) bool {
	switch {
	case typ == nil || typ == nat:
		return true
	case typ.Kind() == reflect.Interface:
		return nat.Implements(typ)
	}
	return rawNatural(typ) == nat
}

// convert returns v (of type nat) as a typ; compatible(nat, typ) must hold.
func convert(v any, nat, typ reflect.Type) any {
	if typ == nil || typ == nat || typ.Kind() == reflect.Interface {
		return v
	}
	rv := reflect.ValueOf(v)
	if typ.Kind() == reflect.Slice {
		return reinterpret(rv, typ)
	}
	return rv.Convert(typ).Interface()
}

func mismatch(id ID, nat, typ reflect.Type) error {
	return fmt.Errorf("%w: cannot decode %v (natural type %v) into %v", ErrTypeMismatch, id, nat, typ)
}

// decodeBuiltin decodes the payload of a built-in raw codec other than Nil
// into its natural type.
func decodeBuiltin(id ID, data []byte) (any, error) {
	switch id {
	case Float64s:
		return decodeSlice[float64](id, data)
	case Float64:
		b, err := fixed(id, data, 8)
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), err
	case Dense:
		return decodeDense(data)
	case VecDense:
		return decodeVecDense(data)
	case Bool:
		b, err := fixed(id, data, 1)
		if err == nil && b[0] > 1 {
			return nil, corruptf(id, "byte %#x is neither 0 nor 1", b[0])
		}
		return b[0] == 1, err
	case Int:
		b, err := fixed(id, data, 8)
		x := int64(binary.LittleEndian.Uint64(b))
		if err == nil && strconv.IntSize == 32 && int64(int(x)) != x {
			return nil, corruptf(id, "%d overflows int on this 32-bit platform", x)
		}
		return int(x), err
	case Int8:
		b, err := fixed(id, data, 1)
		return int8(b[0]), err
	case Int16:
		b, err := fixed(id, data, 2)
		return int16(binary.LittleEndian.Uint16(b)), err
	case Int32:
		b, err := fixed(id, data, 4)
		return int32(binary.LittleEndian.Uint32(b)), err
	case Int64:
		b, err := fixed(id, data, 8)
		return int64(binary.LittleEndian.Uint64(b)), err
	case Uint:
		b, err := fixed(id, data, 8)
		x := binary.LittleEndian.Uint64(b)
		if err == nil && strconv.IntSize == 32 && uint64(uint(x)) != x {
			return nil, corruptf(id, "%d overflows uint on this 32-bit platform", x)
		}
		return uint(x), err
	case Uint8:
		b, err := fixed(id, data, 1)
		return b[0], err
	case Uint16:
		b, err := fixed(id, data, 2)
		return binary.LittleEndian.Uint16(b), err
	case Uint32:
		b, err := fixed(id, data, 4)
		return binary.LittleEndian.Uint32(b), err
	case Uint64:
		b, err := fixed(id, data, 8)
		return binary.LittleEndian.Uint64(b), err
	case Float32:
		b, err := fixed(id, data, 4)
		return math.Float32frombits(binary.LittleEndian.Uint32(b)), err
	case Complex64:
		b, err := fixed(id, data, 8)
		re := math.Float32frombits(binary.LittleEndian.Uint32(b))
		im := math.Float32frombits(binary.LittleEndian.Uint32(b[4:]))
		return complex(re, im), err
	case Complex128:
		b, err := fixed(id, data, 16)
		re := math.Float64frombits(binary.LittleEndian.Uint64(b))
		im := math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))
		return complex(re, im), err
	case String:
		return string(data), nil
	case Bytes:
		if data == nil {
			return []byte{}, nil
		}
		return data, nil
	case Float32s:
		return decodeSlice[float32](id, data)
	case Int64s:
		return decodeSlice[int64](id, data)
	case Int32s:
		return decodeSlice[int32](id, data)
	case Int16s:
		return decodeSlice[int16](id, data)
	case Int8s:
		return decodeSlice[int8](id, data)
	case Uint64s:
		return decodeSlice[uint64](id, data)
	case Uint32s:
		return decodeSlice[uint32](id, data)
	case Uint16s:
		return decodeSlice[uint16](id, data)
	case Ints:
		return decodeInts(data)
	case Uints:
		return decodeUints(data)
	case Bools:
		for i, b := range data {
			if b > 1 {
				return nil, corruptf(id, "byte %#x at offset %d is neither 0 nor 1", b, i)
			}
		}
		return decodeSlice[bool](id, data)
	case Complex128s:
		return decodeSlice[complex128](id, data)
	case Complex64s:
		return decodeSlice[complex64](id, data)
	case Strings:
		return decodeStrings(data)
	}
	return nil, fmt.Errorf("%w: %v", ErrUnknownID, id)
}

// fixed checks that data holds exactly n bytes. On error it returns a
// zeroed n-byte buffer, so that callers can decode unconditionally.
func fixed(id ID, data []byte, n int) ([]byte, error) {
	if len(data) != n {
		return make([]byte, n), corruptf(id, "payload of %d bytes, want %d", len(data), n)
	}
	return data, nil
}

// decodeInts decodes 8-byte words into a []int, checking the range on
// 32-bit platforms.
func decodeInts(data []byte) ([]int, error) {
	w, err := decodeSlice[int64](Ints, data)
	if err != nil {
		return nil, err
	}
	if strconv.IntSize == 64 {
		return unsafe.Slice((*int)(unsafe.Pointer(unsafe.SliceData(w))), len(w)), nil
	}
	out := make([]int, len(w))
	for i, x := range w {
		if int64(int(x)) != x {
			return nil, corruptf(Ints, "element %d (%d) overflows int on this 32-bit platform", i, x)
		}
		out[i] = int(x)
	}
	return out, nil
}

// decodeUints decodes 8-byte words into a []uint, checking the range on
// 32-bit platforms.
func decodeUints(data []byte) ([]uint, error) {
	w, err := decodeSlice[uint64](Uints, data)
	if err != nil {
		return nil, err
	}
	if strconv.IntSize == 64 {
		return unsafe.Slice((*uint)(unsafe.Pointer(unsafe.SliceData(w))), len(w)), nil
	}
	out := make([]uint, len(w))
	for i, x := range w {
		if uint64(uint(x)) != x {
			return nil, corruptf(Uints, "element %d (%d) overflows uint on this 32-bit platform", i, x)
		}
		out[i] = uint(x)
	}
	return out, nil
}
