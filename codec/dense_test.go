package codec

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestDenseViews(t *testing.T) {
	bothEndians(t, func(t *testing.T) {
		base := mat.NewDense(3, 4, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
		view := base.Slice(1, 3, 1, 3).(*mat.Dense) // stride 4, 2×2
		id, data, err := Marshal(view)
		if err != nil || id != Dense {
			t.Fatalf("Marshal(view) = %v, %v", id, err)
		}
		got, err := Unmarshal(id, misaligned(data), reflect.TypeFor[*mat.Dense]())
		if err != nil {
			t.Fatal(err)
		}
		want := mat.NewDense(2, 2, []float64{6, 7, 10, 11})
		if !mat.Equal(got.(*mat.Dense), want) {
			t.Fatalf("got %v, want %v", mat.Formatted(got.(*mat.Dense)), mat.Formatted(want))
		}

		col := base.ColView(2) // a *mat.VecDense with Inc 4
		id, data, err = Marshal(col)
		if err != nil || id != VecDense {
			t.Fatalf("Marshal(col) = %v, %v", id, err)
		}
		v, err := Unmarshal(id, bytes.Clone(data), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(v.(*mat.VecDense), mat.NewVecDense(3, []float64{3, 7, 11})) {
			t.Fatalf("got %v, want [3 7 11]", mat.Formatted(v.(*mat.VecDense)))
		}
	})
}

func TestDenseDecodedIsUsable(t *testing.T) {
	id, data, _ := Marshal(mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
	v, err := Unmarshal(id, bytes.Clone(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	var p mat.Dense
	p.Mul(v.(*mat.Dense), v.(*mat.Dense))
	if !mat.Equal(&p, mat.NewDense(2, 2, []float64{7, 10, 15, 22})) {
		t.Fatalf("product %v", mat.Formatted(&p))
	}
	e, err := Unmarshal(Dense, make([]byte, 16), nil)
	if err != nil || !e.(*mat.Dense).IsEmpty() {
		t.Fatalf("empty Dense = %v, %v", e, err)
	}
	if _, err := Unmarshal(Dense, data, reflect.TypeFor[mat.Dense]()); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("Dense into mat.Dense (not a pointer): %v, want ErrTypeMismatch", err)
	}
}
