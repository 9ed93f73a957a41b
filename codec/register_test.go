package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
)

// point is a test extension type with a raw 16-byte codec.
type point struct{ X, Y float64 }

// Types registered with misbehaving codecs.
type (
	failing   struct{ A int }
	panicking struct{ A int }
	ptrBlock  struct{ Data []float64 }
)

const (
	testPointID     ID = 200
	testFailingID   ID = 201
	testPanickingID ID = 202
	testPtrBlockID  ID = 203
)

func init() {
	Register(testPointID, "test.point",
		func(p point) ([]byte, error) {
			b := binary.LittleEndian.AppendUint64(nil, math.Float64bits(p.X))
			return binary.LittleEndian.AppendUint64(b, math.Float64bits(p.Y)), nil
		},
		func(b []byte) (point, error) {
			if len(b) != 16 {
				return point{}, fmt.Errorf("want 16 bytes, got %d", len(b))
			}
			return point{math.Float64frombits(binary.LittleEndian.Uint64(b)), math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))}, nil
		})
	Register(testFailingID, "test.failing",
		func(f failing) ([]byte, error) {
			if f.A < 0 {
				return nil, errors.New("negative")
			}
			return []byte{byte(f.A)}, nil
		},
		func(b []byte) (failing, error) { return failing{}, errors.New("always fails") })
	Register(testPanickingID, "test.panicking",
		func(p panicking) ([]byte, error) { panic("encoder boom") },
		func(b []byte) (panicking, error) { panic("decoder boom") })
	Register(testPtrBlockID, "test.ptrBlock",
		func(p *ptrBlock) ([]byte, error) { return encodeSlice(p.Data), nil },
		func(b []byte) (*ptrBlock, error) {
			d, err := decodeSlice[float64](testPtrBlockID, b)
			return &ptrBlock{d}, err
		})
}

func TestRegisterRoundTrip(t *testing.T) {
	p := point{1.5, negZ}
	id, data, err := Marshal(p)
	if err != nil || id != testPointID || len(data) != 16 {
		t.Fatalf("Marshal(point) = %v, %x, %v", id, data, err)
	}
	for _, typ := range []reflect.Type{nil, reflect.TypeFor[point](), reflect.TypeFor[any]()} {
		got, err := Unmarshal(id, bytes.Clone(data), typ)
		if err != nil || !sameValue(t, got, p) {
			t.Fatalf("Unmarshal(%v, %v) = %#v, %v; want %#v", id, typ, got, err, p)
		}
	}
	if _, err := Unmarshal(id, bytes.Clone(data), reflect.TypeFor[string]()); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("point into string: %v, want ErrTypeMismatch", err)
	}
	if _, err := Unmarshal(id, data[:3], nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("short point: %v, want ErrCorrupt", err)
	}

	// A pointer type: nil still takes Nil; non-nil takes the extension.
	if id, _, _ := Marshal((*ptrBlock)(nil)); id != Nil {
		t.Errorf("nil *ptrBlock took %v, want Nil", id)
	}
	b := &ptrBlock{[]float64{1, 2}}
	id, data, err = Marshal(b)
	if err != nil || id != testPtrBlockID {
		t.Fatalf("Marshal(*ptrBlock) = %v, %v", id, err)
	}
	got, err := Unmarshal(id, misaligned(data), reflect.TypeFor[*ptrBlock]())
	if err != nil || !reflect.DeepEqual(got, b) {
		t.Fatalf("Unmarshal(*ptrBlock) = %#v, %v", got, err)
	}
}

func TestRegisterMisbehavingCodecs(t *testing.T) {
	if _, _, err := Marshal(failing{-1}); err == nil {
		t.Error("failing encoder: no error")
	}
	if _, _, err := Marshal(panicking{}); err == nil {
		t.Error("panicking encoder: no error")
	}
	if _, err := Unmarshal(testFailingID, []byte{1}, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("failing decoder: %v, want ErrCorrupt", err)
	}
	if _, err := Unmarshal(testPanickingID, []byte{1}, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("panicking decoder: %v, want ErrCorrupt", err)
	}
	if _, err := Unmarshal(ID(250), []byte{1}, nil); !errors.Is(err, ErrUnknownID) {
		t.Errorf("unregistered ID: %v, want ErrUnknownID", err)
	}
}

type unregistered struct{ A int }

func TestRegisterPanics(t *testing.T) {
	enc := func(unregistered) ([]byte, error) { return nil, nil }
	dec := func([]byte) (unregistered, error) { return unregistered{}, nil }
	mustPanic(t, "ID below range", func() { Register(ID(127), "x.low", enc, dec) })
	mustPanic(t, "duplicate ID", func() { Register(testPointID, "x.dupid", enc, dec) })
	mustPanic(t, "duplicate name", func() { Register(ID(240), "test.point", enc, dec) })
	mustPanic(t, "builtin name", func() { Register(ID(240), "Float64s", enc, dec) })
	mustPanic(t, "empty name", func() { Register(ID(240), "", enc, dec) })
	mustPanic(t, "nil encoder", func() { Register(ID(240), "x.nil", nil, dec) })
	mustPanic(t, "duplicate type", func() {
		Register(ID(241), "x.dup", func(point) ([]byte, error) { return nil, nil }, func([]byte) (point, error) { return point{}, nil })
	})
	mustPanic(t, "builtin type", func() {
		Register(ID(242), "x.f64s", func([]float64) ([]byte, error) { return nil, nil }, func([]byte) ([]float64, error) { return nil, nil })
	})
	mustPanic(t, "interface type", func() {
		Register(ID(243), "x.any", func(any) ([]byte, error) { return nil, nil }, func([]byte) (any, error) { return nil, nil })
	})
	if lookupID(240) != nil || lookupType(reflect.TypeFor[unregistered]()) != nil {
		t.Error("a panicking Register left a registration behind")
	}
}
