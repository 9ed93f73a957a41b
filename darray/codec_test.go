package darray

import (
	"encoding/binary"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/cairnlabs/cairn/codec"
)

func roundTrip[T Number](t *testing.T, b *Block[T]) {
	t.Helper()
	id, data, err := codec.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if id < codec.MinExtension {
		t.Fatalf("%v encoded with %v, not a darray codec", b, id)
	}
	v, err := codec.Unmarshal(id, slices.Clone(data), nil)
	if err != nil {
		t.Fatalf("%v: %v", id, err)
	}
	got, ok := v.(*Block[T])
	if !ok || !reflect.DeepEqual(got, b) {
		t.Fatalf("%v: decoded %#v, want %#v", id, v, b)
	}
	if n := codec.SizeHint(b); n != int64(len(data)) {
		t.Fatalf("%v: SizeHint %d, encoding %d bytes", id, n, len(data))
	}
}

func TestCodecRoundTrip(t *testing.T) {
	roundTrip(t, randnBlock[float64](1, []int{5, 7}, []int{3, 2}, []int{2, 5}))
	roundTrip(t, randnBlock[float32](1, []int{9}, []int{4}, []int{5}))
	roundTrip(t, fillBlock(int64(-3), []int{1, 2, 3}, []int{2, 2, 2}))
	roundTrip(t, fillBlock(int32(7), []int{0}, []int{3}))
	roundTrip(t, fillBlock(int16(7), []int{0}, []int{3}))
	roundTrip(t, fillBlock(int8(-7), []int{0}, []int{3}))
	roundTrip(t, fillBlock(int(1<<40), []int{0, 0}, []int{1, 1}))
	roundTrip(t, fillBlock(uint64(1<<63), []int{0}, []int{2}))
	roundTrip(t, fillBlock(uint32(9), []int{0}, []int{2}))
	roundTrip(t, fillBlock(uint16(9), []int{0}, []int{2}))
	roundTrip(t, fillBlock(uint8(255), []int{0}, []int{2}))
	roundTrip(t, fillBlock(uint(3), []int{0}, []int{2}))
	// Named element types fall back to gob and still round-trip.
	type celsius float64
	b := fillBlock(celsius(21.5), []int{0, 0}, []int{2, 2})
	id, data, err := codec.Marshal(b)
	if err != nil || id != codec.Gob {
		t.Fatalf("named element type: %v, %v", id, err)
	}
	v, err := codec.Unmarshal(id, data, reflect.TypeFor[*Block[celsius]]())
	if err != nil || !reflect.DeepEqual(v, b) {
		t.Fatalf("named element type: %v, %v", v, err)
	}
}

// TestCodecFormat pins the payload layout.
func TestCodecFormat(t *testing.T) {
	id, data, err := codec.Marshal(&Block[int16]{Shape: []int{1, 2}, Origin: []int{3, 4}, Data: []int16{5, -1}})
	if err != nil || id != blockInt16 || id.String() != "darray.Block[int16]" {
		t.Fatalf("id %v (%d), err %v", id, id, err)
	}
	want := []byte{2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
		3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0xff, 0xff}
	if !slices.Equal(data, want) {
		t.Errorf("payload %v, want %v", data, want)
	}
}

// TestCodecCorrupt feeds the decoder broken payloads: each gives an error
// wrapping codec.ErrCorrupt, never a panic or a huge allocation.
func TestCodecCorrupt(t *testing.T) {
	_, good, _ := codec.Marshal(fillBlock(1.0, []int{0, 0}, []int{2, 3}))
	words := func(ws ...uint64) []byte {
		var b []byte
		for _, w := range ws {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
		return b
	}
	for name, data := range map[string][]byte{
		"empty":           nil,
		"short header":    good[:12],
		"no dims":         words(0),
		"too many dims":   words(33),
		"huge dims":       words(1 << 62),
		"truncated":       good[:len(good)-8],
		"ragged":          good[:len(good)-3],
		"extra":           append(slices.Clone(good), make([]byte, 8)...),
		"huge shape":      words(2, 1<<40, 1<<40, 0, 0),
		"overflowing":     words(3, 1<<35, 1<<35, 1<<35, 0, 0, 0),
		"negative origin": words(1, 1, 1<<63, 0),
		"header only":     words(1, 4, 0),
		"shape lies":      append(words(1, 3, 0), make([]byte, 16)...),
	} {
		_, err := codec.Unmarshal(blockFloat64, data, nil)
		if !errors.Is(err, codec.ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}

// FuzzDecodeBlock checks that no payload makes the decoder panic, and that
// what it accepts re-encodes to the same bytes.
func FuzzDecodeBlock(f *testing.F) {
	_, good, _ := codec.Marshal(fillBlock(1.0, []int{0, 0}, []int{2, 3}))
	f.Add(slices.Clone(good))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := codec.Unmarshal(blockFloat64, slices.Clone(data), nil)
		if err != nil {
			return
		}
		_, again, err := codec.Marshal(v)
		if err != nil || !slices.Equal(again, data) {
			t.Fatalf("accepted %x, re-encoded as %x (%v)", data, again, err)
		}
	})
}
