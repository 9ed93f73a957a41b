package codec

import (
	"encoding/binary"
	"math/bits"

	"gonum.org/v1/gonum/mat"
)

// denseHeader is the size of the Dense header: uint64 rows, uint64 cols.
// Keeping it a multiple of 8 keeps the elements as aligned as the payload.
const denseHeader = 16

// encodeDense encodes m as rows, cols, then its elements row-major. A view
// whose stride exceeds its column count is copied row by row. An empty
// (zero-value) Dense encodes as 0 rows and 0 columns.
func encodeDense(m *mat.Dense) []byte {
	if m.IsEmpty() {
		return make([]byte, denseHeader)
	}
	raw := m.RawMatrix()
	var hdr [denseHeader]byte
	binary.LittleEndian.PutUint64(hdr[:], uint64(raw.Rows))
	binary.LittleEndian.PutUint64(hdr[8:], uint64(raw.Cols))
	if raw.Stride == raw.Cols {
		// Appending to a full slice allocates without zeroing, so the
		// elements are written once.
		return append(hdr[:], encodeSlice(raw.Data[:raw.Rows*raw.Cols])...)
	}
	out := append(make([]byte, 0, denseHeader+8*raw.Rows*raw.Cols), hdr[:]...)
	for i := 0; i < raw.Rows; i++ {
		out = append(out, encodeSlice(raw.Data[i*raw.Stride:i*raw.Stride+raw.Cols])...)
	}
	return out
}

// decodeDense reverses encodeDense. The dimensions must both be zero or both
// be positive, and must account for every remaining byte; the elements
// alias data when it is 8-byte aligned.
func decodeDense(data []byte) (*mat.Dense, error) {
	if len(data) < denseHeader {
		return nil, corruptf(Dense, "payload of %d bytes is shorter than the %d-byte header", len(data), denseHeader)
	}
	r := binary.LittleEndian.Uint64(data)
	c := binary.LittleEndian.Uint64(data[8:])
	body := data[denseHeader:]
	if r == 0 && c == 0 {
		if len(body) != 0 {
			return nil, corruptf(Dense, "empty matrix followed by %d bytes", len(body))
		}
		return &mat.Dense{}, nil
	}
	if r == 0 || c == 0 {
		return nil, corruptf(Dense, "%d×%d matrix: exactly one dimension is zero", r, c)
	}
	hi, n := bits.Mul64(r, c)
	if hi != 0 || n != uint64(len(body))/8 || len(body)%8 != 0 {
		return nil, corruptf(Dense, "%d×%d matrix does not match the %d bytes of elements", r, c, len(body))
	}
	elems, err := decodeSlice[float64](Dense, body)
	if err != nil {
		return nil, err
	}
	return mat.NewDense(int(r), int(c), elems), nil
}

// encodeVecDense encodes v as its length, then its elements; a strided
// vector is gathered. An empty VecDense encodes as length 0.
func encodeVecDense(v *mat.VecDense) []byte {
	if v.IsEmpty() {
		return make([]byte, 8)
	}
	raw := v.RawVector()
	var hdr [8]byte
	binary.LittleEndian.PutUint64(hdr[:], uint64(raw.N))
	if raw.Inc == 1 {
		return append(hdr[:], encodeSlice(raw.Data[:raw.N])...)
	}
	out := append(make([]byte, 0, 8+8*raw.N), hdr[:]...)
	for i := 0; i < raw.N; i++ {
		out = append(out, encodeSlice(raw.Data[i*raw.Inc:i*raw.Inc+1])...)
	}
	return out
}

// decodeVecDense reverses encodeVecDense.
func decodeVecDense(data []byte) (*mat.VecDense, error) {
	if len(data) < 8 {
		return nil, corruptf(VecDense, "payload of %d bytes is shorter than the 8-byte header", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	body := data[8:]
	if n == 0 {
		if len(body) != 0 {
			return nil, corruptf(VecDense, "empty vector followed by %d bytes", len(body))
		}
		return &mat.VecDense{}, nil
	}
	if n != uint64(len(body))/8 || len(body)%8 != 0 {
		return nil, corruptf(VecDense, "length %d does not match the %d bytes of elements", n, len(body))
	}
	elems, err := decodeSlice[float64](VecDense, body)
	if err != nil {
		return nil, err
	}
	return mat.NewVecDense(int(n), elems), nil
}
