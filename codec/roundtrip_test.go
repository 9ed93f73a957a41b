package codec

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

var (
	nan1   = math.Float64frombits(0x7ff800000000beef) // quiet NaN with a payload other than math.NaN()'s
	snan   = math.Float64frombits(0x7ff0000000000001) // signalling NaN
	negZ   = math.Copysign(0, -1)
	nan32  = math.Float32frombits(0x7fc00001)
	negZ32 = float32(negZ)
)

type rawCase struct {
	name string
	v    any
	id   ID
}

func rawCases() []rawCase {
	strided := mat.NewDense(3, 4, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}).Slice(1, 3, 1, 3).(*mat.Dense)
	stridedVec := mat.NewVecDense(6, []float64{1, 2, 3, 4, 5, 6}).SliceVec(0, 6) // contiguous view
	colVec := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6}).ColView(1).(*mat.VecDense)
	return []rawCase{
		{"nil", nil, Nil},
		{"true", true, Bool},
		{"false", false, Bool},
		{"int", -5, Int},
		{"int8", int8(math.MinInt8), Int8},
		{"int16", int16(math.MinInt16), Int16},
		{"int32", int32(math.MaxInt32), Int32},
		{"int64", int64(math.MinInt64), Int64},
		{"uint", uint(math.MaxUint), Uint},
		{"uint8", uint8(255), Uint8},
		{"uint16", uint16(0xbeef), Uint16},
		{"uint32", uint32(0xdeadbeef), Uint32},
		{"uint64", uint64(math.MaxUint64), Uint64},
		{"float32 NaN payload", nan32, Float32},
		{"float32 -0", negZ32, Float32},
		{"float64", 3.25, Float64},
		{"float64 NaN payload", nan1, Float64},
		{"float64 signalling NaN", snan, Float64},
		{"float64 -0", negZ, Float64},
		{"float64 +Inf", math.Inf(1), Float64},
		{"float64 -Inf", math.Inf(-1), Float64},
		{"complex64", complex(nan32, negZ32), Complex64},
		{"complex128", complex(snan, math.Inf(-1)), Complex128},
		{"string empty", "", String},
		{"string", "héllo\x00\xff", String},
		{"bytes empty", []byte{}, Bytes},
		{"bytes nil", []byte(nil), Nil},
		{"bytes", []byte{0, 1, 255}, Bytes},
		{"float64s empty", []float64{}, Float64s},
		{"float64s nil", []float64(nil), Nil},
		{"float64s", []float64{1, negZ, nan1, snan, math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64}, Float64s},
		{"float32s", []float32{1, negZ32, nan32, float32(math.Inf(-1))}, Float32s},
		{"float32s empty", []float32{}, Float32s},
		{"int64s", []int64{math.MinInt64, -1, 0, math.MaxInt64}, Int64s},
		{"int32s", []int32{math.MinInt32, -1, 0, math.MaxInt32}, Int32s},
		{"int16s", []int16{math.MinInt16, -1, 0, math.MaxInt16}, Int16s},
		{"int8s", []int8{math.MinInt8, -1, 0, math.MaxInt8}, Int8s},
		{"uint64s", []uint64{0, 1, math.MaxUint64}, Uint64s},
		{"uint32s", []uint32{0, 1, math.MaxUint32}, Uint32s},
		{"uint16s", []uint16{0, 1, math.MaxUint16}, Uint16s},
		{"ints", []int{math.MinInt, -1, 0, math.MaxInt}, Ints},
		{"ints empty", []int{}, Ints},
		{"uints", []uint{0, math.MaxUint}, Uints},
		{"bools", []bool{true, false, true}, Bools},
		{"bools empty", []bool{}, Bools},
		{"complex128s", []complex128{complex(1, negZ), complex(nan1, snan)}, Complex128s},
		{"complex64s", []complex64{complex(1, negZ32), complex(nan32, 2)}, Complex64s},
		{"strings", []string{"", "a", "héllo", strings.Repeat("x", 300), ""}, Strings},
		{"strings empty", []string{}, Strings},
		{"strings nil", []string(nil), Nil},
		{"dense", mat.NewDense(2, 3, []float64{1, 2, 3, negZ, nan1, 6}), Dense},
		{"dense strided view", strided, Dense},
		{"dense empty", &mat.Dense{}, Dense},
		{"dense nil", (*mat.Dense)(nil), Nil},
		{"vecdense", mat.NewVecDense(3, []float64{1, snan, 3}), VecDense},
		{"vecdense view", stridedVec, VecDense},
		{"vecdense strided", colVec, VecDense},
		{"vecdense empty", &mat.VecDense{}, VecDense},
	}
}

// sameValue reports whether a and b are the same value bit for bit: same
// type, same nil-ness, NaN payloads and signed zeros included.
func sameValue(t *testing.T, a, b any) bool {
	t.Helper()
	if reflect.TypeOf(a) != reflect.TypeOf(b) {
		return false
	}
	if a == nil {
		return true
	}
	ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
	switch ra.Kind() {
	case reflect.Slice, reflect.Pointer:
		if ra.IsNil() != rb.IsNil() {
			return false
		}
	}
	var fa, fb bytes.Buffer
	if err := Fingerprint(&fa, a); err != nil {
		t.Fatal(err)
	}
	if err := Fingerprint(&fb, b); err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(fa.Bytes(), fb.Bytes())
}

func TestRoundTripRaw(t *testing.T) {
	bothEndians(t, func(t *testing.T) {
		for _, c := range rawCases() {
			t.Run(c.name, func(t *testing.T) {
				id, data, err := Marshal(c.v)
				if err != nil {
					t.Fatalf("Marshal: %v", err)
				}
				if id != c.id {
					t.Fatalf("Marshal chose %v, want %v", id, c.id)
				}
				data = bytes.Clone(data) // Unmarshal takes ownership
				typ := reflect.TypeOf(c.v)
				for _, tc := range []struct {
					name string
					data []byte
					typ  reflect.Type
				}{
					{"natural", bytes.Clone(data), nil},
					{"typed", bytes.Clone(data), typ},
					{"any", bytes.Clone(data), reflect.TypeFor[any]()},
					{"misaligned", misaligned(data), typ},
				} {
					got, err := Unmarshal(id, tc.data, tc.typ)
					if err != nil {
						t.Fatalf("%s: Unmarshal: %v", tc.name, err)
					}
					want := c.v
					if id == Nil && tc.typ == nil || tc.typ != nil && tc.typ.Kind() == reflect.Interface && id == Nil {
						want = nil
					}
					if !sameValue(t, got, want) {
						t.Fatalf("%s: got %#v, want %#v", tc.name, got, want)
					}
					// Every accepted raw payload re-encodes to itself.
					id2, data2, err := Marshal(got)
					if err != nil || id2 != id || !bytes.Equal(data2, data) {
						t.Fatalf("%s: re-encoded as %v %x (%v), want %v %x", tc.name, id2, data2, err, id, data)
					}
				}
			})
		}
	})
}

// TestWireFormat pins the little-endian on-disk bytes, whatever the host.
func TestWireFormat(t *testing.T) {
	bothEndians(t, func(t *testing.T) {
		for _, c := range []struct {
			v    any
			want []byte
		}{
			{1.0, []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f}},
			{[]float64{1, -2}, []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0}},
			{[]int32{1, -2}, []byte{1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff}},
			{[]uint16{0x0102}, []byte{2, 1}},
			{[]int{258}, []byte{2, 1, 0, 0, 0, 0, 0, 0}},
			{[]complex64{complex(1, 2)}, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}},
			{[]string{"ab", ""}, []byte{2, 2, 'a', 'b', 0}},
			{mat.NewDense(1, 2, []float64{1, -2}), []byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
				0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0}},
		} {
			_, got, err := Marshal(c.v)
			if err != nil || !bytes.Equal(got, c.want) {
				t.Errorf("Marshal(%v) = %x, %v; want %x", c.v, got, err, c.want)
			}
		}
	})
}

func TestMarshalAliasesAndUnmarshalAliases(t *testing.T) {
	if !hostLE {
		t.Skip("zero copy is for little-endian hosts")
	}
	x := []float64{1, 2, 3}
	_, data, _ := Marshal(x)
	if &data[0] != (*byte)(unsafePointer(&x[0])) {
		t.Error("Marshal([]float64) copied; want zero copy")
	}
	buf := make([]byte, 24) // 8-aligned allocation
	copy(buf, data)
	v, err := Unmarshal(Float64s, buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.([]float64); unsafePointer(&got[0]) != unsafePointer(&buf[0]) || cap(got) != 3 {
		t.Error("Unmarshal of aligned Float64s data copied; want an alias with cap 3")
	}
}

type (
	celsius float64
	vec     []float64
	names   []string
	label   string
)

func TestNamedTypes(t *testing.T) {
	bothEndians(t, func(t *testing.T) {
		for _, c := range []struct {
			v  any
			id ID
		}{
			{celsius(-40), Float64},
			{vec{1, 2}, Float64s},
			{vec{}, Float64s},
			{vec(nil), Nil},
			{[]celsius{1, celsius(negZ)}, Float64s},
			{names{"a", "b"}, Strings},
			{[]label{"x", ""}, Strings},
			{label("y"), String},
		} {
			id, data, err := Marshal(c.v)
			if err != nil || id != c.id {
				t.Fatalf("Marshal(%#v) = %v, %v; want %v", c.v, id, err, c.id)
			}
			typ := reflect.TypeOf(c.v)
			got, err := Unmarshal(id, bytes.Clone(data), typ)
			if err != nil {
				t.Fatalf("Unmarshal(%v, %T): %v", id, c.v, err)
			}
			if !sameValue(t, got, c.v) {
				t.Errorf("got %#v, want %#v", got, c.v)
			}
		}
	})
}

func TestUnmarshalInterfaceTypes(t *testing.T) {
	d := mat.NewDense(1, 1, []float64{7})
	id, data, _ := Marshal(d)
	v, err := Unmarshal(id, bytes.Clone(data), reflect.TypeFor[mat.Matrix]())
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := v.(*mat.Dense); !ok || m.At(0, 0) != 7 {
		t.Fatalf("got %#v, want *mat.Dense", v)
	}
	v, err = Unmarshal(Nil, nil, reflect.TypeFor[mat.Matrix]())
	if err != nil || v != nil {
		t.Fatalf("Nil into mat.Matrix = %#v, %v; want nil", v, err)
	}
}

func TestIDString(t *testing.T) {
	for id, want := range map[ID]string{
		Invalid: "Invalid", Nil: "Nil", Float64s: "Float64s", Dense: "Dense", Gob: "Gob",
		ID(99): "ID(99)", ID(250): "ID(250)", testPointID: "test.point",
	} {
		if got := id.String(); got != want {
			t.Errorf("ID(%d).String() = %q, want %q", id, got, want)
		}
	}
	for id := range ID(Gob) {
		if isBuiltin(id) && id.String() == "" {
			t.Errorf("ID %d has no name", id)
		}
	}
}
