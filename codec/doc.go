// Package codec encodes the values that cairn checkpoints: raw fast paths
// for numbers, strings, numeric slices and gonum matrices, encoding/gob as a
// general fallback, and decoders hardened against hostile input.
//
// Marshal picks a codec and reports its ID; the ID is stored next to the
// bytes (in a checkpoint frame) and handed back to Unmarshal. Fingerprint
// writes a deterministic content encoding of a value for hashing it into a
// checkpoint key. Register adds raw codecs for other packages' types (darray
// registers its block type).
//
// # Which type takes which codec
//
//	Go type (exactly)                         ID               payload
//	nil; a nil pointer, slice, map, func,     Nil              empty
//	  chan or interface
//	bool                                      Bool             1 byte, 0 or 1
//	int, uint                                 Int, Uint        8 bytes on every platform
//	int8..int64, uint8..uint64                Int8..Uint64     1, 2, 4 or 8 bytes
//	float32, float64                          Float32/64       IEEE 754 bits
//	complex64, complex128                     Complex64/128    real bits, then imaginary bits
//	string                                    String           its bytes
//	[]byte                                    Bytes            its bytes
//	[]float64, []float32                      Float64s/32s     elements back to back
//	[]int64, []int32, []int16, []int8         Int64s..Int8s    elements back to back
//	[]uint64, []uint32, []uint16              Uint64s..16s     elements back to back
//	[]int, []uint                             Ints, Uints      8 bytes per element
//	[]bool                                    Bools            1 byte per element, 0 or 1
//	[]complex128, []complex64                 Complex128s/64s  elements back to back
//	[]string                                  Strings          uvarint count, then uvarint length + bytes each
//	*mat.Dense (gonum)                        Dense            uint64 rows, uint64 cols, row-major float64s
//	*mat.VecDense (gonum)                     VecDense         uint64 length, float64s
//	a type given to Register                  128..255         whatever its encoder writes
//	a named type over one of the above        as above         as above (type Celsius float64, type Vec []float64)
//	  (not Register'ed)
//	anything else: structs, maps, arrays,     Gob              one encoding/gob stream
//	  [][]float64, pointers to these            (if CheckValue passes)
//
// All numbers on disk are little-endian, whatever the machine. On
// little-endian machines (amd64, arm64, riscv64, ...) numeric slices are
// encoded without copying, by viewing their memory as bytes, and decoded
// by aliasing the input when it is aligned for the element type, or else
// with one memmove. Big-endian machines (s390x, ppc64) take a portable path
// that converts each word with encoding/binary, and read and write the same
// bytes.
//
// # Faithful values
//
// Marshal gives back what it was given, or refuses. It refuses, with an
// *UnfaithfulError that matches ErrUnfaithful and names the path to the
// problem and its fix, a value that takes the Gob codec and holds, at any
// depth (fields, elements, map keys, pointees, values held by interfaces):
//
//   - a struct with an unexported field (blank _ fields aside), including
//     an embedded field of an unexported type: gob drops them;
//   - a struct field of func or chan type, or a pointer to one: gob drops it;
//   - a func, chan or unsafe.Pointer anywhere else;
//   - a struct whose fields are all blank, or a recursive pointer type
//     (type P *P): gob cannot encode them;
//   - a type that gob would write with GobEncode or MarshalBinary but could
//     not read back with the matching GobDecode or UnmarshalBinary, or the
//     other way round;
//   - in an interface, a concrete type that was not gob.Register'ed, or a
//     nil pointer;
//   - a cycle: a pointer, slice or map that leads back to itself (gob would
//     recurse until the stack overflows, which kills the process).
//
// A type with both GobEncode and GobDecode, or both MarshalBinary and
// UnmarshalBinary (on the type or its pointer), is faithful whatever its
// fields: gob calls those methods, and they are trusted. So is a type with
// a raw codec, built-in or Register'ed, at the top level; inside a gob
// value, gob encodes a Register'ed type field by field, so the rules apply.
// A nil pointer, slice, map or func at the top level takes the Nil codec,
// whatever its type.
//
// Check applies the rules that depend on a type alone, once per type;
// CheckValue applies them all to a value, as Marshal does, and walks only
// values whose types can hold interfaces or cycles. Unmarshal refuses Gob
// data asked for as a type that gob cannot carry by these rules: an older
// cairn stored such values without complaint, and without their
// unexported fields.
//
// Accepted, and not kept: pointer sharing (two pointers to one value come
// back as two equal values); inside a gob value, nil against empty, and a
// struct field's pointer to a zero value or -0 (see Nil and empty below);
// and the signalling bit of a float32 NaN inside a gob value (gob widens
// float32s to float64s).
//
// # Nil and empty
//
// At the top level, nil and empty stay apart. A nil slice, map or pointer
// encodes as Nil, and Unmarshal of Nil into a slice, map or pointer type
// gives that type's nil; an empty, non-nil slice or map decodes as an
// empty, non-nil one, whatever its codec. A nil typ gets an untyped nil
// back.
//
// Inside a gob value, encoding/gob decides:
//
//   - A struct field is not sent when it holds a zero value (false, a
//     number equal to 0, so -0 too, "", a slice of length 0, nil or not, a
//     nil map, pointer or interface) or a pointer, at any depth, to one.
//     It comes back as its type's zero value: a nil slice, a nil pointer,
//     +0. Structs, arrays and non-nil maps are always sent: an empty map
//     field stays empty, a pointer to a zero struct stays non-nil.
//   - An element of a slice, array or map is always sent, so a pointer to
//     zero and -0 stay as they were, but an empty slice comes back nil and
//     a nil map comes back empty. A nil pointer element is an error.
//
// # Ownership and aliasing
//
// The bytes Marshal returns for a string, []byte, or numeric or bool slice
// may alias the value's memory: do not modify them. Unmarshal takes
// ownership of its input: slices, *mat.Dense and *mat.VecDense it returns
// may alias it.
//
// # Hostile input
//
// Unmarshal never panics, and every decoder checks lengths against the
// bytes actually present before allocating: a raw slice's length is the
// payload size divided by the element size, so it cannot be absurd; a
// Strings count or a Dense shape that claims more than the remaining bytes
// hold is ErrCorrupt. Decoding allocates at most about 16 bytes per input
// byte for Strings (string headers) and a copy of the input elsewhere.
// Trailing bytes, non-minimal varints and bools other than 0 and 1 are
// corrupt too, so every accepted raw payload has exactly one encoding and
// re-encodes to the same bytes. Gob data is first decoded into nothing
// (which checks every count against the data without allocating), and only
// then into the requested type (except inside interface-typed fields, which
// gob skips by length); errors from encoding/gob wrap ErrCorrupt.
// Register'ed decoders must keep these promises themselves.
//
// # Gob
//
// Gob handles any type with exported fields, but needs the concrete type to
// decode into (a function's result type, say): Unmarshal decodes into
// reflect.New(typ). Values stored in interface-typed fields need their
// concrete types gob.Register'ed. Types that gob cannot carry faithfully
// are refused (see Faithful values); give them exported fields, marshaler
// methods, or, at the top level, a raw codec with Register.
package codec
