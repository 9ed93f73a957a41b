package codec

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
)

type gobThing struct {
	Name   string
	Values map[string][]float64
	Next   *gobThing
	Any    any
}

func TestGobRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name string
		v    any
	}{
		{"struct", gobThing{Name: "a", Values: map[string][]float64{"x": {1, math.Inf(1)}}, Next: &gobThing{Name: "b"}, Any: 3.5}},
		{"pointer to struct", &gobThing{Name: "p"}},
		{"map", map[string]int{"a": 1, "b": 2}},
		{"empty map", map[string]int{}},
		{"nested slices", [][]float64{{1, 2}, {3}}}, // gob turns inner empty slices into nil
		{"array", [3]int{1, 2, 3}},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, data, err := Marshal(c.v)
			if err != nil || id != Gob {
				t.Fatalf("Marshal = %v, %v; want Gob", id, err)
			}
			got, err := Unmarshal(id, bytes.Clone(data), reflect.TypeOf(c.v))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.v) {
				t.Fatalf("got %#v, want %#v", got, c.v)
			}
		})
	}
}

func TestGobErrors(t *testing.T) {
	type hidden struct{ a int }
	if _, _, err := Marshal(hidden{1}); !errors.Is(err, ErrUnfaithful) {
		t.Errorf("struct without exported fields: %v, want ErrUnfaithful", err)
	}
	if _, _, err := Marshal(func() {}); !errors.Is(err, ErrUnfaithful) {
		t.Errorf("func: %v, want ErrUnfaithful", err)
	}
	if _, _, err := Marshal(make(chan int)); !errors.Is(err, ErrUnfaithful) {
		t.Errorf("chan: %v, want ErrUnfaithful", err)
	}
	if id, _, err := Marshal((func())(nil)); err != nil || id != Nil {
		t.Errorf("nil func = %v, %v; want Nil", id, err)
	}
	if _, _, err := Marshal([]*gobThing{nil}); err == nil {
		t.Error("nil pointer element: no error") // gob's own, as documented
	}

	_, data, _ := Marshal(gobThing{Name: "x"})
	if _, err := Unmarshal(Gob, append(bytes.Clone(data), 0), reflect.TypeFor[gobThing]()); !errors.Is(err, ErrCorrupt) {
		t.Errorf("trailing byte: %v, want ErrCorrupt", err)
	}
	if _, err := Unmarshal(Gob, bytes.Clone(data[:len(data)-2]), reflect.TypeFor[gobThing]()); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated: %v, want ErrCorrupt", err)
	}
	if _, err := Unmarshal(Gob, bytes.Clone(data), reflect.TypeFor[map[int]int]()); !errors.Is(err, ErrCorrupt) {
		t.Errorf("wrong type: %v, want ErrCorrupt", err)
	}
}
