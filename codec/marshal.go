package codec

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unsafe"

	"gonum.org/v1/gonum/mat"
)

// Marshal encodes v and reports which codec it used; Unmarshal with the same
// ID reverses it. See the package documentation for which types take which
// codec.
//
// Zero copy: on little-endian machines the bytes returned for a numeric or
// bool slice, []byte or string alias v's memory. Callers must not modify
// them, and must not modify v until they are done with them.
//
// Marshal refuses, with an *UnfaithfulError that matches ErrUnfaithful, a
// value that it could not give back as it was: one that would take the Gob
// codec and holds a struct with an unexported field, a func or chan, a
// concrete type in an interface that was not gob.Register'ed, or a cycle
// (see the package documentation for the rule). CheckValue foresees this
// error, and Check foresees it from a type alone.
//
// Marshal never panics: a Register'ed encoder that panics gives an error.
func Marshal(v any) (ID, []byte, error) {
	switch x := v.(type) {
	case nil:
		return Nil, []byte{}, nil
	case float64:
		return Float64, binary.LittleEndian.AppendUint64(make([]byte, 0, 8), math.Float64bits(x)), nil
	case []float64:
		return sliceID(Float64s, x == nil), encodeSlice(x), nil
	case *mat.Dense:
		if x == nil {
			return Nil, []byte{}, nil
		}
		return Dense, encodeDense(x), nil
	case *mat.VecDense:
		if x == nil {
			return Nil, []byte{}, nil
		}
		return VecDense, encodeVecDense(x), nil
	case bool:
		b := []byte{0}
		if x {
			b[0] = 1
		}
		return Bool, b, nil
	case int:
		return Int, binary.LittleEndian.AppendUint64(make([]byte, 0, 8), uint64(x)), nil
	case int8:
		return Int8, []byte{byte(x)}, nil
	case int16:
		return Int16, binary.LittleEndian.AppendUint16(make([]byte, 0, 2), uint16(x)), nil
	case int32:
		return Int32, binary.LittleEndian.AppendUint32(make([]byte, 0, 4), uint32(x)), nil
	case int64:
		return Int64, binary.LittleEndian.AppendUint64(make([]byte, 0, 8), uint64(x)), nil
	case uint:
		return Uint, binary.LittleEndian.AppendUint64(make([]byte, 0, 8), uint64(x)), nil
	case uint8:
		return Uint8, []byte{x}, nil
	case uint16:
		return Uint16, binary.LittleEndian.AppendUint16(make([]byte, 0, 2), x), nil
	case uint32:
		return Uint32, binary.LittleEndian.AppendUint32(make([]byte, 0, 4), x), nil
	case uint64:
		return Uint64, binary.LittleEndian.AppendUint64(make([]byte, 0, 8), x), nil
	case float32:
		return Float32, binary.LittleEndian.AppendUint32(make([]byte, 0, 4), math.Float32bits(x)), nil
	case complex64:
		b := binary.LittleEndian.AppendUint32(make([]byte, 0, 8), math.Float32bits(real(x)))
		return Complex64, binary.LittleEndian.AppendUint32(b, math.Float32bits(imag(x))), nil
	case complex128:
		b := binary.LittleEndian.AppendUint64(make([]byte, 0, 16), math.Float64bits(real(x)))
		return Complex128, binary.LittleEndian.AppendUint64(b, math.Float64bits(imag(x))), nil
	case string:
		if x == "" {
			return String, []byte{}, nil
		}
		return String, unsafe.Slice(unsafe.StringData(x), len(x)), nil
	case []byte:
		if x == nil {
			return Nil, []byte{}, nil
		}
		return Bytes, memBytes(x), nil
	case []float32:
		return sliceID(Float32s, x == nil), encodeSlice(x), nil
	case []int64:
		return sliceID(Int64s, x == nil), encodeSlice(x), nil
	case []int32:
		return sliceID(Int32s, x == nil), encodeSlice(x), nil
	case []int16:
		return sliceID(Int16s, x == nil), encodeSlice(x), nil
	case []int8:
		return sliceID(Int8s, x == nil), encodeSlice(x), nil
	case []uint64:
		return sliceID(Uint64s, x == nil), encodeSlice(x), nil
	case []uint32:
		return sliceID(Uint32s, x == nil), encodeSlice(x), nil
	case []uint16:
		return sliceID(Uint16s, x == nil), encodeSlice(x), nil
	case []int:
		return sliceID(Ints, x == nil), encodeInts(x), nil
	case []uint:
		return sliceID(Uints, x == nil), encodeUints(x), nil
	case []bool:
		return sliceID(Bools, x == nil), encodeSlice(x), nil
	case []complex128:
		return sliceID(Complex128s, x == nil), encodeSlice(x), nil
	case []complex64:
		return sliceID(Complex64s, x == nil), encodeSlice(x), nil
	case []string:
		if x == nil {
			return Nil, []byte{}, nil
		}
		return Strings, encodeStrings(x), nil
	}
	return marshalReflect(reflect.ValueOf(v))
}

// sliceID returns Nil for a nil slice, so that nil and empty slices both
// survive a round trip (Unmarshal of Nil into a slice type gives a nil slice).
func sliceID(id ID, isNil bool) ID {
	if isNil {
		return Nil
	}
	return id
}

// encodeInts encodes a []int as 8-byte words on every platform.
func encodeInts(s []int) []byte {
	if strconv.IntSize == 64 {
		return encodeSlice(unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(s))), len(s)))
	}
	out := make([]byte, 0, 8*len(s))
	for _, x := range s {
		out = binary.LittleEndian.AppendUint64(out, uint64(x))
	}
	return out
}

// encodeUints encodes a []uint as 8-byte words on every platform.
func encodeUints(s []uint) []byte {
	if strconv.IntSize == 64 {
		return encodeSlice(unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(s))), len(s)))
	}
	out := make([]byte, 0, 8*len(s))
	for _, x := range s {
		out = binary.LittleEndian.AppendUint64(out, uint64(x))
	}
	return out
}

// marshalReflect handles every value that is not of an exact built-in type:
// typed nils, Register'ed types, named types whose underlying type is a raw
// one (type Celsius float64, type Vec []float64), and the Gob fallback,
// which only values that pass CheckValue take.
func marshalReflect(rv reflect.Value) (ID, []byte, error) {
	t := rv.Type()
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface, reflect.UnsafePointer:
		if rv.IsNil() {
			return Nil, []byte{}, nil
		}
	}
	if e := lookupType(t); e != nil {
		return e.marshal(rv.Interface())
	}
	if nat := rawNatural(t); nat != nil {
		if t.Kind() == reflect.Slice {
			return Marshal(reinterpret(rv, nat))
		}
		return Marshal(rv.Convert(nat).Interface())
	}
	if err := checkValue(rv); err != nil {
		return Invalid, nil, err
	}
	return marshalGob(rv)
}

// rawNatural returns the built-in raw type that t can be converted or
// reinterpreted to (float64 for type Celsius float64, []float64 for
// []Celsius), or nil when there is none.
func rawNatural(t reflect.Type) reflect.Type {
	k := t.Kind()
	if k == reflect.Slice {
		ek := t.Elem().Kind()
		if ek == reflect.Uintptr || ek > reflect.Complex128 && ek != reflect.String {
			return nil
		}
		return reflect.SliceOf(kindTypes[ek])
	}
	if k == reflect.Uintptr || k > reflect.Complex128 && k != reflect.String {
		return nil
	}
	return kindTypes[k]
}

// kindTypes maps a basic kind to its predeclared type.
var kindTypes = [...]reflect.Type{
	reflect.Bool:       reflect.TypeFor[bool](),
	reflect.Int:        reflect.TypeFor[int](),
	reflect.Int8:       reflect.TypeFor[int8](),
	reflect.Int16:      reflect.TypeFor[int16](),
	reflect.Int32:      reflect.TypeFor[int32](),
	reflect.Int64:      reflect.TypeFor[int64](),
	reflect.Uint:       reflect.TypeFor[uint](),
	reflect.Uint8:      reflect.TypeFor[uint8](),
	reflect.Uint16:     reflect.TypeFor[uint16](),
	reflect.Uint32:     reflect.TypeFor[uint32](),
	reflect.Uint64:     reflect.TypeFor[uint64](),
	reflect.Float32:    reflect.TypeFor[float32](),
	reflect.Float64:    reflect.TypeFor[float64](),
	reflect.Complex64:  reflect.TypeFor[complex64](),
	reflect.Complex128: reflect.TypeFor[complex128](),
	reflect.String:     reflect.TypeFor[string](),
}

// reinterpret returns the slice rv viewed as type to, which must be a slice
// type whose elements have the same kind (and so the same layout) as rv's.
// No memory is copied.
func reinterpret(rv reflect.Value, to reflect.Type) any {
	p := reflect.New(rv.Type())
	p.Elem().Set(rv)
	return reflect.NewAt(to, p.UnsafePointer()).Elem().Interface()
}

// safeCall runs f, turning a panic into an error that names what panicked.
func safeCall(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("codec: %s panicked: %v", what, r)
		}
	}()
	return f()
}
