package codec_test

import (
	"testing"

	"github.com/cairnlabs/cairn/codec"
	"gonum.org/v1/gonum/mat"
)

// SizeHint is exactly the length Marshal gives, where it knows it.
func TestSizeHint(t *testing.T) {
	known := []any{nil, true, int8(1), uint16(2), int32(3), float32(4), 5, uint(6), int64(7), 8.5,
		complex64(1i), complex128(2i), "hello", []byte("bytes"), []float64{1, 2, 3}, []float32{1},
		[]int64{1, 2}, []int32{1}, []int16{1}, []int8{1}, []uint64{1}, []uint32{1}, []uint16{1},
		[]int{1, 2, 3}, []uint{1}, []bool{true, false}, []complex128{1}, []complex64{1},
		mat.NewDense(3, 4, nil), &mat.Dense{}, mat.NewVecDense(5, nil), []float64{}, []float64(nil)}
	for _, v := range known {
		_, b, err := codec.Marshal(v)
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		if got := codec.SizeHint(v); got != int64(len(b)) {
			t.Errorf("SizeHint(%T) = %d, Marshal gives %d bytes", v, got, len(b))
		}
	}
	for _, v := range []any{struct{ A int }{1}, map[string]int{"a": 1}, []string{"a"}} {
		if got := codec.SizeHint(v); got != -1 {
			t.Errorf("SizeHint(%T) = %d, want -1 (not known without encoding)", v, got)
		}
	}
}
