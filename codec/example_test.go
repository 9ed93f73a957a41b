package codec_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"

	"github.com/cairnlabs/cairn/codec"
	"gonum.org/v1/gonum/mat"
)

// A checkpoint round trip: Marshal picks a codec, and the ID travels with
// the bytes to Unmarshal.
func ExampleMarshal() {
	id, data, err := codec.Marshal([]float64{1.5, -2, 3})
	if err != nil {
		panic(err)
	}
	// data aliases the slice on little-endian machines: copy it (as a store
	// writing it to disk does) before handing it to Unmarshal.
	stored := bytes.Clone(data)

	v, err := codec.Unmarshal(id, stored, nil) // nil: the natural type
	if err != nil {
		panic(err)
	}
	fmt.Println(id, len(data), v)
	// Output: Float64s 24 [1.5 -2 3]
}

// Unmarshal returns the type the caller asks for: an interface the natural
// type implements, or a concrete type for gob data.
func ExampleUnmarshal() {
	id, data, _ := codec.Marshal(mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
	v, _ := codec.Unmarshal(id, bytes.Clone(data), reflect.TypeFor[mat.Matrix]())
	fmt.Println(id, mat.Formatted(v.(mat.Matrix), mat.Squeeze()))

	type result struct {
		Name   string
		Scores map[string]float64
	}
	id, data, _ = codec.Marshal(result{"run1", map[string]float64{"a": 0.5}})
	v, _ = codec.Unmarshal(id, bytes.Clone(data), reflect.TypeFor[result]())
	fmt.Printf("%v %+v\n", id, v)

	_, err := codec.Unmarshal(codec.Float64s, []byte{1, 2, 3}, nil)
	fmt.Println(errors.Is(err, codec.ErrCorrupt))
	// Output:
	// Dense ⎡1  2⎤
	// ⎣3  4⎦
	// Gob {Name:run1 Scores:map[a:0.5]}
	// true
}

// Fingerprint content-hashes arguments into a checkpoint key: equal values
// hash equally, and values of different types differ.
func ExampleFingerprint() {
	key := func(args ...any) string {
		h := sha256.New()
		for _, a := range args {
			if err := codec.Fingerprint(h, a); err != nil {
				return err.Error()
			}
		}
		return fmt.Sprintf("%x", h.Sum(nil)[:8])
	}
	m1 := map[string]int{"a": 1, "b": 2}
	m2 := map[string]int{"b": 2, "a": 1}
	fmt.Println(key(m1, []float64{1, 2}) == key(m2, []float64{1, 2}))
	fmt.Println(key(int64(1)) == key(float64(1)))
	fmt.Println(key(func() {}))
	// Output:
	// true
	// false
	// codec: value cannot be fingerprinted: func() values have no deterministic content (give the argument an explicit key)
}

// block stands in for another package's type with its own raw codec.
type block struct{ Data []float64 }

func init() {
	codec.Register(130, "example.block",
		func(b *block) ([]byte, error) {
			_, data, err := codec.Marshal(b.Data)
			return data, err
		},
		func(data []byte) (*block, error) {
			v, err := codec.Unmarshal(codec.Float64s, data, nil)
			if err != nil {
				return nil, err
			}
			return &block{v.([]float64)}, nil
		})
}

// Register adds a raw codec for a type, at package init.
func ExampleRegister() {
	id, data, _ := codec.Marshal(&block{[]float64{1, 2}})
	v, _ := codec.Unmarshal(id, bytes.Clone(data), nil)
	fmt.Println(id, byte(id), v.(*block).Data)
	// Output: example.block 130 [1 2]
}

// Item is a result whose name field is unexported: gob would drop it.
type Item struct {
	ID   string
	name string
}

// Marshal refuses a value that it could not give back as it was, and says
// where the problem lies and how to fix it. Check tells the same from the
// type alone, before there is a value.
func ExampleMarshal_unfaithful() {
	_, _, err := codec.Marshal([]Item{{ID: "ITEM00", name: "loaded item00"}})
	fmt.Println(err)

	var ue *codec.UnfaithfulError
	if errors.As(err, &ue) {
		fmt.Println(errors.Is(err, codec.ErrUnfaithful), ue.Path, ue.At)
	}
	fmt.Println(codec.Check(reflect.TypeFor[map[string]Item]()))
	// Output:
	// codec: cannot store []codec_test.Item faithfully: []codec_test.Item[...].name: unexported field, which gob drops (export the field, or implement encoding.BinaryMarshaler and encoding.BinaryUnmarshaler, or gob.GobEncoder and gob.GobDecoder, on codec_test.Item)
	// true []codec_test.Item[...].name codec_test.Item
	// codec: cannot store map[string]codec_test.Item faithfully: map[string]codec_test.Item[...].name: unexported field, which gob drops (export the field, or implement encoding.BinaryMarshaler and encoding.BinaryUnmarshaler, or gob.GobEncoder and gob.GobDecoder, on codec_test.Item)
}
