package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// fuzzTypes are the types FuzzUnmarshal asks for; its second argument picks
// one.
var fuzzTypes = []reflect.Type{
	nil,
	reflect.TypeFor[any](),
	reflect.TypeFor[gobThing](),
	reflect.TypeFor[map[string][]float64](),
	reflect.TypeFor[[]string](),
	reflect.TypeFor[*mat.Dense](),
	reflect.TypeFor[[]float64](),
	reflect.TypeFor[celsius](),
	reflect.TypeFor[vec](),
	reflect.TypeFor[point](),
	reflect.TypeFor[*gobThing](),
	reflect.TypeFor[mat.Matrix](),
	reflect.TypeFor[[]Item](), // refused: Unmarshal must say ErrUnfaithful
}

func typeIndex(t reflect.Type) byte {
	for i, ft := range fuzzTypes {
		if ft == t {
			return byte(i)
		}
	}
	return 0
}

// FuzzUnmarshal feeds any ID, any requested type and any bytes to
// Unmarshal. It must never panic, never allocate much more than the input,
// and fail only with the package's sentinel errors (ErrUnfaithful for Gob
// data asked for as a type that gob cannot carry); what a raw codec accepts
// must re-encode to exactly the same bytes, and what Gob accepts must
// re-encode (so pass CheckValue) to something that decodes again.
func FuzzUnmarshal(f *testing.F) {
	for _, c := range rawCases() {
		id, data, err := Marshal(c.v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(byte(id), typeIndex(reflect.TypeOf(c.v)), bytes.Clone(data))
		f.Add(byte(id), byte(0), bytes.Clone(data))
	}
	for _, v := range []any{gobThing{Name: "a", Values: map[string][]float64{"x": {1}}, Next: &gobThing{}}, map[string][]float64{"k": {1, 2}}, point{1, 2}} {
		id, data, err := Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(byte(id), typeIndex(reflect.TypeOf(v)), data)
	}
	// What an older cairn stored for a type with an unexported field.
	var old bytes.Buffer
	if err := gob.NewEncoder(&old).Encode([]Item{{ID: "ITEM00", name: "loaded item00"}}); err != nil {
		f.Fatal(err)
	}
	f.Add(byte(Gob), typeIndex(reflect.TypeFor[[]Item]()), old.Bytes())
	f.Add(byte(Strings), byte(4), uv(1<<40))
	f.Add(byte(Dense), byte(5), le64(1<<32, 1<<32))

	f.Fuzz(func(t *testing.T, idb, sel byte, data []byte) {
		id := ID(idb)
		typ := fuzzTypes[int(sel)%len(fuzzTypes)]
		var v any
		var err error
		n := allocatedNoGC(func() { v, err = Unmarshal(id, bytes.Clone(data), typ) })
		if limit := 64*uint64(len(data)) + 4<<20; n > limit {
			t.Fatalf("Unmarshal(%v, %d bytes, %v) allocated %d bytes", id, len(data), typ, n)
		}
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnknownID) && !errors.Is(err, ErrTypeMismatch) && !errors.Is(err, ErrUnfaithful) {
				t.Fatalf("Unmarshal(%v, %x, %v): error matches no sentinel: %v", id, data, typ, err)
			}
			return
		}
		id2, data2, err := Marshal(v)
		if err != nil {
			t.Fatalf("decoded %#v does not re-encode: %v", v, err)
		}
		if id == Gob {
			if _, err := Unmarshal(id2, bytes.Clone(data2), typ); err != nil {
				t.Fatalf("Gob value %#v re-encoded as %v does not decode: %v", v, id2, err)
			}
			return
		}
		if id2 != id || !bytes.Equal(data2, data) {
			t.Fatalf("Unmarshal(%v, %x, %v) = %#v re-encodes as %v %x", id, data, typ, v, id2, data2)
		}
	})
}

// FuzzRoundTrip checks that []float64, string and []string values survive
// Marshal and Unmarshal bit for bit, that the wire bytes are the portable
// little-endian encoding, and that fingerprints are deterministic.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{}, "")
	f.Add(le64(math.Float64bits(negZ), math.Float64bits(nan1), math.Float64bits(snan)), "a\x00b\x00")
	f.Add(bytes.Repeat([]byte{0xff}, 17), "héllo\xff")
	f.Fuzz(func(t *testing.T, raw []byte, s string) {
		floats := make([]float64, len(raw)/8)
		for i := range floats {
			floats[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		id, data, err := Marshal(floats)
		if err != nil || id != Float64s || !bytes.Equal(data, raw[:8*len(floats)]) {
			t.Fatalf("Marshal(floats) = %v, %x, %v; want Float64s %x", id, data, err, raw[:8*len(floats)])
		}
		for _, in := range [][]byte{bytes.Clone(data), misaligned(data)} {
			v, err := Unmarshal(id, in, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := v.([]float64)
			if len(got) != len(floats) {
				t.Fatalf("got %d floats, want %d", len(got), len(floats))
			}
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(floats[i]) {
					t.Fatalf("float %d: bits %#x, want %#x", i, math.Float64bits(got[i]), math.Float64bits(floats[i]))
				}
			}
		}

		list := strings.Split(s, "\x00")
		for _, v := range []any{s, list} {
			id, data, err := Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Unmarshal(id, bytes.Clone(data), reflect.TypeOf(v))
			if err != nil || !reflect.DeepEqual(got, v) {
				t.Fatalf("%q round-tripped to %q, %v", v, got, err)
			}
		}

		var a, b bytes.Buffer
		if err := Fingerprint(&a, floats); err != nil {
			t.Fatal(err)
		}
		if err := Fingerprint(&b, floats); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("fingerprint of the same floats differs")
		}
		if !bytes.HasSuffix(a.Bytes(), raw[:8*len(floats)]) {
			t.Fatal("fingerprint of floats does not end with their raw bytes")
		}
	})
}
