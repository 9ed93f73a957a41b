package codec

import (
	"reflect"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// ID identifies an encoding. IDs are stored in checkpoint frames, so every
// value below is stable forever: an ID is never renumbered or reused, and new
// built-in codecs take unused numbers.
//
// Ranges: 1..99 are raw built-in codecs, 100 is the Gob fallback, 101..127 are
// reserved for future built-ins, and 128..255 belong to codecs added with
// Register.
type ID uint8

// Built-in codec IDs. The numbers are part of the on-disk format.
const (
	// Invalid is the zero ID; it never names an encoding.
	Invalid ID = 0

	// Nil encodes an untyped nil or a nil pointer, slice, map, func, chan or
	// interface; the payload is empty.
	Nil ID = 1

	// Scalars: fixed-size little-endian payloads.
	Bool       ID = 2  // 1 byte, 0 or 1
	Int        ID = 3  // 8 bytes, int64 on the wire on every platform
	Int8       ID = 4  // 1 byte
	Int16      ID = 5  // 2 bytes
	Int32      ID = 6  // 4 bytes
	Int64      ID = 7  // 8 bytes
	Uint       ID = 8  // 8 bytes, uint64 on the wire on every platform
	Uint8      ID = 9  // 1 byte
	Uint16     ID = 10 // 2 bytes
	Uint32     ID = 11 // 4 bytes
	Uint64     ID = 12 // 8 bytes
	Float32    ID = 13 // 4 bytes, IEEE 754 bits
	Float64    ID = 14 // 8 bytes, IEEE 754 bits
	Complex64  ID = 15 // 8 bytes: real then imaginary float32
	Complex128 ID = 16 // 16 bytes: real then imaginary float64
	String     ID = 17 // the string's bytes
	Bytes      ID = 18 // a []byte's bytes

	// Slices of numbers: the elements back to back, little-endian; the
	// element count is the payload length divided by the element size.
	Float64s    ID = 32
	Float32s    ID = 33
	Int64s      ID = 34
	Int32s      ID = 35
	Int16s      ID = 36
	Int8s       ID = 37
	Uint64s     ID = 38
	Uint32s     ID = 39
	Uint16s     ID = 40
	Ints        ID = 41 // 8 bytes per element on every platform
	Uints       ID = 42 // 8 bytes per element on every platform
	Strings     ID = 43 // uvarint count, then per string a uvarint length and the bytes
	Bools       ID = 44 // 1 byte per element, 0 or 1
	Complex128s ID = 45
	Complex64s  ID = 46

	// gonum types.
	Dense    ID = 64 // *mat.Dense: uint64 rows, uint64 cols, then rows*cols float64 row-major
	VecDense ID = 65 // *mat.VecDense: uint64 length, then the float64 elements

	// Gob is the general fallback: one value in encoding/gob's stream format.
	Gob ID = 100

	// MinExtension and MaxExtension bound the IDs that Register accepts.
	MinExtension ID = 128
	MaxExtension ID = 255
)

// builtin describes one built-in raw codec.
type builtin struct {
	name    string
	natural reflect.Type // what Unmarshal returns for a nil typ
}

var builtins = [Gob]builtin{
	Nil:         {"Nil", nil},
	Bool:        {"Bool", reflect.TypeFor[bool]()},
	Int:         {"Int", reflect.TypeFor[int]()},
	Int8:        {"Int8", reflect.TypeFor[int8]()},
	Int16:       {"Int16", reflect.TypeFor[int16]()},
	Int32:       {"Int32", reflect.TypeFor[int32]()},
	Int64:       {"Int64", reflect.TypeFor[int64]()},
	Uint:        {"Uint", reflect.TypeFor[uint]()},
	Uint8:       {"Uint8", reflect.TypeFor[uint8]()},
	Uint16:      {"Uint16", reflect.TypeFor[uint16]()},
	Uint32:      {"Uint32", reflect.TypeFor[uint32]()},
	Uint64:      {"Uint64", reflect.TypeFor[uint64]()},
	Float32:     {"Float32", reflect.TypeFor[float32]()},
	Float64:     {"Float64", reflect.TypeFor[float64]()},
	Complex64:   {"Complex64", reflect.TypeFor[complex64]()},
	Complex128:  {"Complex128", reflect.TypeFor[complex128]()},
	String:      {"String", reflect.TypeFor[string]()},
	Bytes:       {"Bytes", reflect.TypeFor[[]byte]()},
	Float64s:    {"Float64s", reflect.TypeFor[[]float64]()},
	Float32s:    {"Float32s", reflect.TypeFor[[]float32]()},
	Int64s:      {"Int64s", reflect.TypeFor[[]int64]()},
	Int32s:      {"Int32s", reflect.TypeFor[[]int32]()},
	Int16s:      {"Int16s", reflect.TypeFor[[]int16]()},
	Int8s:       {"Int8s", reflect.TypeFor[[]int8]()},
	Uint64s:     {"Uint64s", reflect.TypeFor[[]uint64]()},
	Uint32s:     {"Uint32s", reflect.TypeFor[[]uint32]()},
	Uint16s:     {"Uint16s", reflect.TypeFor[[]uint16]()},
	Ints:        {"Ints", reflect.TypeFor[[]int]()},
	Uints:       {"Uints", reflect.TypeFor[[]uint]()},
	Strings:     {"Strings", reflect.TypeFor[[]string]()},
	Bools:       {"Bools", reflect.TypeFor[[]bool]()},
	Complex128s: {"Complex128s", reflect.TypeFor[[]complex128]()},
	Complex64s:  {"Complex64s", reflect.TypeFor[[]complex64]()},
	Dense:       {"Dense", reflect.TypeFor[*mat.Dense]()},
	VecDense:    {"VecDense", reflect.TypeFor[*mat.VecDense]()},
}

// String returns the codec's name ("Float64s", "Gob", or the name given to
// Register), or "ID(n)" for an ID that names no codec.
func (id ID) String() string {
	switch {
	case id == Invalid:
		return "Invalid"
	case id == Gob:
		return "Gob"
	case id < Gob && builtins[id].name != "":
		return builtins[id].name
	case id >= MinExtension:
		if e := lookupID(id); e != nil {
			return e.name
		}
	}
	return "ID(" + strconv.Itoa(int(id)) + ")"
}

// isBuiltin reports whether id is a built-in raw codec.
func isBuiltin(id ID) bool {
	return id > Invalid && id < Gob && builtins[id].name != ""
}
