package codec

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"math"
	"reflect"
	"slices"
	"strconv"
	"unsafe"

	"gonum.org/v1/gonum/mat"
)

var (
	binaryMarshalerType = reflect.TypeFor[encoding.BinaryMarshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	denseType           = reflect.TypeFor[*mat.Dense]()
	vecDenseType        = reflect.TypeFor[*mat.VecDense]()
)

// value writes v. The encoding depends only on v's static type and
// content, and is self-delimiting given the type.
func (e *fpEncoder) value(v reflect.Value) {
	if e.err != nil {
		return
	}
	t := v.Type()
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		if v.IsNil() {
			e.buf = append(e.buf, 0)
			return
		}
		e.buf = append(e.buf, 1)
	}
	if e.special(v) {
		return
	}
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxFingerprintDepth {
		e.fail("%v nested deeper than %d levels", t, maxFingerprintDepth)
		return
	}

	switch t.Kind() {
	case reflect.Bool:
		b := byte(0)
		if v.Bool() {
			b = 1
		}
		e.buf = append(e.buf, b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = binary.LittleEndian.AppendUint64(e.buf, v.Uint())
	case reflect.Float32:
		e.buf = binary.LittleEndian.AppendUint32(e.buf, float32Bits(v))
	case reflect.Float64:
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v.Float()))
	case reflect.Complex64:
		c := v.Complex()
		e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(float32(real(c))))
		e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(float32(imag(c))))
	case reflect.Complex128:
		c := v.Complex()
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(real(c)))
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(imag(c)))
	case reflect.String:
		s := v.String()
		e.uvarint(uint64(len(s)))
		e.raw(unsafe.Slice(unsafe.StringData(s), len(s)))
	case reflect.Slice:
		e.slice(v)
	case reflect.Array:
		for i := range v.Len() {
			e.value(v.Index(i))
		}
	case reflect.Map:
		e.mapValue(v)
	case reflect.Struct:
		for i := range v.NumField() {
			e.value(v.Field(i))
		}
	case reflect.Pointer:
		if e.enter(v) {
			e.value(v.Elem())
			e.leave(v)
		}
	case reflect.Interface:
		e.typeName(v.Elem().Type())
		e.value(v.Elem())
	default: // non-nil func, chan, unsafe.Pointer
		e.fail("%v values have no deterministic content (give the argument an explicit key)", t)
	}
}

// float32Bits reads a float32's bits from memory when it can, since
// widening to float64 may quiet a signalling NaN.
func float32Bits(v reflect.Value) uint32 {
	if v.CanAddr() {
		return *(*uint32)(v.Addr().UnsafePointer())
	}
	return math.Float32bits(float32(v.Float()))
}

// special writes v with a raw codec or a marshaler method when its type has
// one, and reports whether it did.
func (e *fpEncoder) special(v reflect.Value) bool {
	t := v.Type()
	switch t {
	case denseType:
		e.lp(encodeDense((*mat.Dense)(v.UnsafePointer())))
		return true
	case vecDenseType:
		e.lp(encodeVecDense((*mat.VecDense)(v.UnsafePointer())))
		return true
	}
	if !v.CanInterface() {
		return false // reached through an unexported field: walk it
	}
	if ext := lookupType(t); ext != nil {
		_, b, err := ext.marshal(v.Interface())
		if err != nil {
			e.fail("%v", err)
		}
		e.lp(b)
		return true
	}
	m := v
	if t.Kind() != reflect.Pointer && !t.Implements(binaryMarshalerType) && !t.Implements(textMarshalerType) && v.CanAddr() {
		m = v.Addr() // pointer-receiver methods
	}
	var call func() ([]byte, error)
	switch x := m.Interface().(type) {
	case encoding.BinaryMarshaler:
		call = x.MarshalBinary
	case encoding.TextMarshaler:
		call = x.MarshalText
	default:
		return false
	}
	var b []byte
	err := safeCall(t.String()+" marshaler", func() (err error) {
		b, err = call()
		return err
	})
	if err != nil {
		e.fail("%v: %v", t, err)
	}
	e.lp(b)
	return true
}

// slice writes a non-nil slice: its length, then its elements; numeric and
// bool elements as one block of little-endian bytes.
func (e *fpEncoder) slice(v reflect.Value) {
	n := v.Len()
	e.uvarint(uint64(n))
	et := v.Type().Elem()
	ek := et.Kind()
	if ek >= reflect.Bool && ek <= reflect.Complex128 && ek != reflect.Uintptr &&
		!(strconv.IntSize == 32 && (ek == reflect.Int || ek == reflect.Uint)) {
		mem := unsafe.Slice((*byte)(v.UnsafePointer()), n*int(et.Size()))
		w := int(et.Size())
		if ek == reflect.Complex64 || ek == reflect.Complex128 {
			w /= 2
		}
		e.raw(encodeRaw(mem, w))
		return
	}
	if !e.enter(v) {
		return
	}
	for i := range n {
		e.value(v.Index(i))
	}
	e.leave(v)
}

// mapValue writes a non-nil map: its length, then its entries (key then
// value) sorted by their encoding.
func (e *fpEncoder) mapValue(v reflect.Value) {
	e.uvarint(uint64(v.Len()))
	if !e.enter(v) {
		return
	}
	defer e.leave(v)
	child := &fpEncoder{depth: e.depth, path: e.path}
	entries := make([][]byte, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		child.buf = nil
		child.value(it.Key())
		child.value(it.Value())
		if child.err != nil {
			e.err = child.err
			return
		}
		entries = append(entries, child.buf)
	}
	slices.SortFunc(entries, bytes.Compare)
	for _, b := range entries {
		e.raw(b)
	}
}

// enter records the pointer, map or slice v on the current path; it fails
// and returns false if v is already there (a cycle).
func (e *fpEncoder) enter(v reflect.Value) bool {
	k := visit{v.UnsafePointer(), v.Type(), 0}
	if v.Kind() == reflect.Slice {
		k.len = v.Len()
	}
	if e.path == nil {
		e.path = map[visit]bool{}
	}
	if e.path[k] {
		e.fail("%v refers to itself (cyclic values have no finite encoding)", v.Type())
		return false
	}
	e.path[k] = true
	return true
}

func (e *fpEncoder) leave(v reflect.Value) {
	k := visit{v.UnsafePointer(), v.Type(), 0}
	if v.Kind() == reflect.Slice {
		k.len = v.Len()
	}
	delete(e.path, k)
}
