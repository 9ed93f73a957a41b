package codec

import (
	"encoding/binary"
	"reflect"
	"unsafe"
)

// hostLE reports whether this machine stores numbers little-endian, the
// on-disk byte order. When it does, numeric slices are encoded by aliasing
// their memory and decoded by aliasing (or copying) the input; otherwise the
// portable path converts each word with encoding/binary. Tests clear it to
// exercise the portable path on little-endian machines.
var hostLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// rawElem lists the fixed-size, pointer-free element types whose in-memory
// representation, read as little-endian words, is the wire format.
type rawElem interface {
	~bool | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 |
		~float32 | ~float64 | ~complex64 | ~complex128
}

// wordSize is the size of the unit that is byte-swapped on big-endian
// hosts: the element size, except for complex numbers, whose real and
// imaginary halves are swapped separately.
func wordSize[E rawElem]() int {
	var e E
	switch reflect.TypeFor[E]().Kind() {
	case reflect.Complex64, reflect.Complex128:
		return int(unsafe.Sizeof(e)) / 2
	}
	return int(unsafe.Sizeof(e))
}

// memBytes returns the memory of s as bytes, without copying.
func memBytes[E rawElem](s []E) []byte {
	if len(s) == 0 {
		return []byte{}
	}
	var e E
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(e)))
}

// encodeRaw returns the wire form of mem, which holds words of size w in
// host byte order. On little-endian hosts it returns mem itself (zero copy).
func encodeRaw(mem []byte, w int) []byte {
	if hostLE || w == 1 {
		return mem
	}
	out := make([]byte, len(mem))
	swapToLE(out, mem, w)
	return out
}

// swapToLE writes the words of src (host order, aligned to w) to dst
// little-endian. It is correct on any host.
func swapToLE(dst, src []byte, w int) {
	p := unsafe.Pointer(unsafe.SliceData(src))
	switch w {
	case 1:
		copy(dst, src)
	case 2:
		for i, x := range unsafe.Slice((*uint16)(p), len(src)/2) {
			binary.LittleEndian.PutUint16(dst[2*i:], x)
		}
	case 4:
		for i, x := range unsafe.Slice((*uint32)(p), len(src)/4) {
			binary.LittleEndian.PutUint32(dst[4*i:], x)
		}
	case 8:
		for i, x := range unsafe.Slice((*uint64)(p), len(src)/8) {
			binary.LittleEndian.PutUint64(dst[8*i:], x)
		}
	}
}

// swapFromLE reads the little-endian words of src into dst (host order,
// aligned to w). It is correct on any host.
func swapFromLE(dst, src []byte, w int) {
	p := unsafe.Pointer(unsafe.SliceData(dst))
	switch w {
	case 1:
		copy(dst, src)
	case 2:
		d := unsafe.Slice((*uint16)(p), len(dst)/2)
		for i := range d {
			d[i] = binary.LittleEndian.Uint16(src[2*i:])
		}
	case 4:
		d := unsafe.Slice((*uint32)(p), len(dst)/4)
		for i := range d {
			d[i] = binary.LittleEndian.Uint32(src[4*i:])
		}
	case 8:
		d := unsafe.Slice((*uint64)(p), len(dst)/8)
		for i := range d {
			d[i] = binary.LittleEndian.Uint64(src[8*i:])
		}
	}
}

// encodeSlice returns the wire form of s. On little-endian hosts the result
// aliases s.
func encodeSlice[E rawElem](s []E) []byte {
	return encodeRaw(memBytes(s), wordSize[E]())
}

// aligned reports whether b starts at a multiple of align.
func aligned(b []byte, align uintptr) bool {
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))%align == 0
}

// decodeSlice decodes the wire form of a []E. On little-endian hosts the
// result aliases data when data is aligned for E; otherwise it is a copy
// made with a single memmove (or a word-by-word conversion on big-endian
// hosts). The result is never nil.
func decodeSlice[E rawElem](id ID, data []byte) ([]E, error) {
	var e E
	size := int(unsafe.Sizeof(e))
	if len(data)%size != 0 {
		return nil, corruptf(id, "payload of %d bytes is not a whole number of %d-byte elements", len(data), size)
	}
	n := len(data) / size
	if n == 0 {
		return []E{}, nil
	}
	align := unsafe.Alignof(e)
	if hostLE {
		if !aligned(data, align) {
			// append to a nil slice copies without zeroing first; size
			// classes of 8 bytes and up are 8-aligned, but check anyway.
			data = append([]byte(nil), data...)
		}
		if aligned(data, align) {
			return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(data))), n), nil
		}
		out := make([]E, n)
		copy(memBytes(out), data)
		return out, nil
	}
	out := make([]E, n)
	swapFromLE(memBytes(out), data, wordSize[E]())
	return out, nil
}
