package darray

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"unsafe"

	"github.com/cairnlabs/cairn/codec"
)

// Blocks are checkpointed and shipped with raw codecs, one per built-in
// element type, registered with the codec package under the IDs below
// (stable forever: they are stored in checkpoint frames). The payload is
// 8-byte little-endian words — the number of dimensions n, n sizes, n
// origin coordinates — followed by the elements as the codec package
// encodes a []T (little-endian, back to back). The header keeps the
// elements 8-byte aligned, so decoding aliases the payload, and encoding
// costs one copy of the elements.
const (
	blockFloat64 codec.ID = 160 + iota
	blockFloat32
	blockInt64
	blockInt32
	blockInt16
	blockInt8
	blockInt
	blockUint64
	blockUint32
	blockUint16
	blockUint8
	blockUint
)

// maxBlockDims bounds the dimensions a decoded block may claim.
const maxBlockDims = 32

func init() {
	registerBlockCodec[float64](blockFloat64)
	registerBlockCodec[float32](blockFloat32)
	registerBlockCodec[int64](blockInt64)
	registerBlockCodec[int32](blockInt32)
	registerBlockCodec[int16](blockInt16)
	registerBlockCodec[int8](blockInt8)
	registerBlockCodec[int](blockInt)
	registerBlockCodec[uint64](blockUint64)
	registerBlockCodec[uint32](blockUint32)
	registerBlockCodec[uint16](blockUint16)
	registerBlockCodec[uint8](blockUint8)
	registerBlockCodec[uint](blockUint)
}

func registerBlockCodec[T Number](id codec.ID) {
	sliceID, _, err := codec.Marshal([]T{})
	if err != nil {
		panic(err)
	}
	codec.Register(id, "darray.Block["+typeName[T]()+"]", encodeBlock[T], func(data []byte) (*Block[T], error) {
		return decodeBlock[T](sliceID, data)
	})
	// Workers keep blocks without encoding them until they are sent or
	// spilled: the size tells them where a block belongs.
	codec.RegisterSize(func(b *Block[T]) int64 {
		var t T
		return int64(8*(1+2*len(b.Shape))) + int64(len(b.Data))*int64(unsafe.Sizeof(t))
	})
}

// encodeBlock writes b's header and elements.
func encodeBlock[T Number](b *Block[T]) ([]byte, error) {
	if len(b.Origin) != len(b.Shape) || len(b.Data) != product(b.Shape) {
		return nil, fmt.Errorf("darray: malformed block: shape %v, origin %v, %d elements", b.Shape, b.Origin, len(b.Data))
	}
	_, elems, err := codec.Marshal(b.Data)
	if err != nil {
		return nil, err
	}
	n := len(b.Shape)
	out := make([]byte, 8*(1+2*n), 8*(1+2*n)+len(elems))
	binary.LittleEndian.PutUint64(out, uint64(n))
	for k := range n {
		binary.LittleEndian.PutUint64(out[8*(1+k):], uint64(b.Shape[k]))
		binary.LittleEndian.PutUint64(out[8*(1+n+k):], uint64(b.Origin[k]))
	}
	return append(out, elems...), nil
}

// decodeBlock reverses encodeBlock, checking every size against the bytes
// present before trusting it.
func decodeBlock[T Number](sliceID codec.ID, data []byte) (*Block[T], error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("block payload of %d bytes is shorter than its header", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n == 0 || n > maxBlockDims {
		return nil, fmt.Errorf("block claims %d dimensions (1 to %d allowed)", n, maxBlockDims)
	}
	hdr := 8 * (1 + 2*int(n))
	if len(data) < hdr {
		return nil, fmt.Errorf("block payload of %d bytes is shorter than its %d-byte header", len(data), hdr)
	}
	b := &Block[T]{Shape: make([]int, n), Origin: make([]int, n)}
	count := uint64(1)
	for k := range int(n) {
		s := binary.LittleEndian.Uint64(data[8*(1+k):])
		o := binary.LittleEndian.Uint64(data[8*(1+int(n)+k):])
		if s > math.MaxInt32*64 || o > math.MaxInt64/2 {
			return nil, fmt.Errorf("block dimension %d: size %d at origin %d is out of range", k, s, o)
		}
		hi, lo := bits.Mul64(count, s)
		if hi != 0 {
			return nil, fmt.Errorf("block shape overflows")
		}
		count = lo
		b.Shape[k], b.Origin[k] = int(s), int(o)
	}
	v, err := codec.Unmarshal(sliceID, data[hdr:], reflect.TypeFor[[]T]())
	if err != nil {
		return nil, err
	}
	b.Data = v.([]T)
	if uint64(len(b.Data)) != count {
		return nil, fmt.Errorf("block of shape %s holds %d elements, want %d", shapeString(b.Shape), len(b.Data), count)
	}
	return b, nil
}
