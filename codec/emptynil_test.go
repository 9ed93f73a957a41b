package codec

import (
	"bytes"
	"reflect"
	"testing"
)

// pair is a struct that gob always sends, even when it is zero.
type pair struct{ A, B int }

// zeroFields has a field of each kind that gob treats specially when it
// holds a zero value.
type zeroFields struct {
	S    []int
	M    map[string]int
	P    *int
	PS   *pair
	PSl  *[]int
	F    float64
	Fs   []float64
	Arr  [2]int
	Flag bool
}

// TestNilAndEmpty pins what comes back for nil, empty and zero values: as
// they were at the top level; inside a gob value, as the package
// documentation's rule says. A change here is a change to the README's
// checkpoint semantics.
func TestNilAndEmpty(t *testing.T) {
	zero := 0
	empty := []int{}
	for _, c := range []struct {
		name    string
		in, out any
	}{
		// The top level keeps nil and empty apart.
		{"top nil slice", []pair(nil), []pair(nil)},
		{"top empty slice", []pair{}, []pair{}},
		{"top empty slice of slices", [][]int{}, [][]int{}},
		{"top nil map", map[string]pair(nil), map[string]pair(nil)},
		{"top empty map", map[string]pair{}, map[string]pair{}},
		{"top pointer to zero", &zero, &zero},
		{"top pointer to zero struct", &pair{}, &pair{}},

		// Inside: an empty slice comes back nil wherever it is.
		{"empty slice in a slice", [][]int{{}, nil, {1}}, [][]int{nil, nil, {1}}},
		{"empty slice in a map", map[string][]int{"a": {}}, map[string][]int{"a": nil}},
		{"empty slice in an array", [2][]int{{}, {1}}, [2][]int{nil, {1}}},
		// A map element stays empty, and a nil one comes back empty too.
		{"maps in a slice", []map[string]int{{}, nil}, []map[string]int{{}, {}}},
		{"maps in a map", map[string]map[string]int{"a": {}, "b": nil}, map[string]map[string]int{"a": {}, "b": {}}},
		// A struct field that holds a zero value is not sent: it comes back
		// as its type's zero value. Pointers are followed first, so a
		// pointer to a zero number, string, bool or slice comes back nil;
		// structs, arrays and non-nil maps are always sent.
		{"zero fields", zeroFields{S: []int{}, M: map[string]int{}, P: &zero, PS: &pair{}, PSl: &empty, F: negZ, Fs: []float64{negZ}},
			zeroFields{S: nil, M: map[string]int{}, P: nil, PS: &pair{}, PSl: nil, F: 0, Fs: []float64{negZ}}},
		{"nil map field", zeroFields{M: nil}, zeroFields{M: nil}},
		// Elements are always sent: a pointer to zero and -0 stay.
		{"pointer to zero in a slice", []*int{&zero}, []*int{&zero}},
		{"-0 in a slice of structs", []struct{ F []float64 }{{[]float64{negZ}}}, []struct{ F []float64 }{{[]float64{negZ}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, data, err := Marshal(c.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Unmarshal(id, bytes.Clone(data), reflect.TypeOf(c.in))
			if err != nil {
				t.Fatal(err)
			}
			// Fingerprints tell nil from empty, nil from a pointer to
			// zero, and -0 from +0.
			if !bytes.Equal(fp(t, got), fp(t, c.out)) {
				t.Fatalf("%v: got %#v, want %#v", id, got, c.out)
			}
		})
	}
}
