package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"reflect"
	"testing"
)

func uv(xs ...uint64) []byte {
	var b []byte
	for _, x := range xs {
		b = binary.AppendUvarint(b, x)
	}
	return b
}

func le64(xs ...uint64) []byte {
	var b []byte
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint64(b, x)
	}
	return b
}

func TestUnmarshalRejectsMalformed(t *testing.T) {
	for _, c := range []struct {
		name string
		id   ID
		data []byte
		typ  reflect.Type
		want error
	}{
		{"invalid ID", Invalid, nil, nil, ErrCorrupt},
		{"unused builtin ID", ID(50), nil, nil, ErrUnknownID},
		{"reserved ID", ID(120), nil, nil, ErrUnknownID},
		{"unregistered extension", ID(255), nil, nil, ErrUnknownID},
		{"nil with payload", Nil, []byte{0}, nil, ErrCorrupt},
		{"nil into float64", Nil, nil, reflect.TypeFor[float64](), ErrTypeMismatch},
		{"bool 2", Bool, []byte{2}, nil, ErrCorrupt},
		{"bool empty", Bool, nil, nil, ErrCorrupt},
		{"int short", Int, make([]byte, 7), nil, ErrCorrupt},
		{"float64 long", Float64, make([]byte, 9), nil, ErrCorrupt},
		{"complex128 short", Complex128, make([]byte, 15), nil, ErrCorrupt},
		{"float64s ragged", Float64s, make([]byte, 7), nil, ErrCorrupt},
		{"int16s ragged", Int16s, make([]byte, 3), nil, ErrCorrupt},
		{"complex128s ragged", Complex128s, make([]byte, 24), nil, ErrCorrupt},
		{"bools 2", Bools, []byte{0, 1, 2}, nil, ErrCorrupt},
		{"strings empty payload", Strings, nil, nil, ErrCorrupt},
		{"strings huge count", Strings, uv(1 << 62), nil, ErrCorrupt},
		{"strings count over bytes", Strings, uv(3, 0, 0), nil, ErrCorrupt},
		{"strings huge length", Strings, uv(1, 1<<62), nil, ErrCorrupt},
		{"strings length over bytes", Strings, append(uv(1, 5), "abc"...), nil, ErrCorrupt},
		{"strings trailing", Strings, append(uv(1, 1), "ab"...), nil, ErrCorrupt},
		{"strings varint overflow", Strings, bytes.Repeat([]byte{0xff}, 11), nil, ErrCorrupt},
		{"strings non-minimal varint", Strings, []byte{0x81, 0x00, 0x00}, nil, ErrCorrupt},
		{"dense short header", Dense, make([]byte, 15), nil, ErrCorrupt},
		{"dense huge", Dense, le64(1<<32, 1<<32), nil, ErrCorrupt},
		{"dense overflow", Dense, le64(1<<63, 4), nil, ErrCorrupt},
		{"dense one zero dim", Dense, le64(0, 3), nil, ErrCorrupt},
		{"dense shape mismatch", Dense, append(le64(2, 2), make([]byte, 24)...), nil, ErrCorrupt},
		{"dense empty trailing", Dense, append(le64(0, 0), 1), nil, ErrCorrupt},
		{"dense ragged", Dense, append(le64(1, 1), make([]byte, 9)...), nil, ErrCorrupt},
		{"vecdense huge", VecDense, le64(1 << 61), nil, ErrCorrupt},
		{"vecdense short", VecDense, make([]byte, 7), nil, ErrCorrupt},
		{"vecdense empty trailing", VecDense, append(le64(0), 0), nil, ErrCorrupt},
		{"float64s into string", Float64s, make([]byte, 8), reflect.TypeFor[string](), ErrTypeMismatch},
		{"float64s into []float32", Float64s, make([]byte, 8), reflect.TypeFor[[]float32](), ErrTypeMismatch},
		{"int64 into int", Int64, make([]byte, 8), reflect.TypeFor[int](), ErrTypeMismatch},
		{"float64 into error", Float64, make([]byte, 8), reflect.TypeFor[error](), ErrTypeMismatch},
		{"gob nil typ", Gob, []byte{1}, nil, ErrTypeMismatch},
		{"gob interface typ", Gob, []byte{1}, reflect.TypeFor[any](), ErrTypeMismatch},
		{"gob empty", Gob, nil, reflect.TypeFor[gobThing](), ErrCorrupt},
		{"gob garbage", Gob, []byte{0xff, 0xff, 0xff, 0xff}, reflect.TypeFor[gobThing](), ErrCorrupt},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, err := Unmarshal(c.id, c.data, c.typ)
			if !errors.Is(err, c.want) {
				t.Fatalf("Unmarshal(%v, %x) = %#v, %v; want an error matching %v", c.id, c.data, v, err, c.want)
			}
		})
	}
}

// hostileGobMap returns a gob stream for a map[string]int whose count
// claims 2^26 entries but that holds one.
func hostileGobMap(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// The value message ends: count 1, then key "a" (len 1, 'a'), then value 1 (02).
	i := bytes.LastIndex(b, []byte{1, 1, 'a', 2})
	if i < 0 {
		t.Fatalf("unexpected gob stream %x", b)
	}
	out := append([]byte{}, b[:i]...)
	out = append(out, 0xfc, 0x04, 0, 0, 0) // 1<<26 in gob's uint encoding
	out = append(out, b[i+1:]...)
	out[i-4] += 4 // the message's length byte precedes its type id and the map's header
	return out
}

func TestGobHostileCountsDoNotAllocate(t *testing.T) {
	data := hostileGobMap(t)
	var err error
	n := allocated(func() { _, err = Unmarshal(Gob, data, reflect.TypeFor[map[string]int]()) })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("hostile map count: %v, want ErrCorrupt", err)
	}
	if n > 1<<20 {
		t.Fatalf("hostile %d-byte gob stream allocated %d bytes", len(data), n)
	}
}

func TestHostileLengthsDoNotAllocate(t *testing.T) {
	for _, c := range []struct {
		id   ID
		data []byte
	}{
		{Strings, uv(1 << 40)},
		{Strings, append(uv(4), bytes.Repeat([]byte{0}, 3)...)},
		{Dense, le64(1<<20, 1<<20)},
		{VecDense, le64(1 << 40)},
	} {
		n := allocated(func() { _, _ = Unmarshal(c.id, c.data, nil) })
		if n > 16<<10 {
			t.Errorf("%v %x allocated %d bytes", c.id, c.data, n)
		}
	}
}
