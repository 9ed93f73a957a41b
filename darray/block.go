package darray

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Number is the set of element types an Array may hold.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 |
		~float32 | ~float64
}

// Float is the set of floating-point element types, which random arrays
// and Mean produce.
type Float interface {
	~float32 | ~float64
}

// Block is one block of an array, with its elements: what block functions
// receive (Delayed functions over Chunks, MapBlocks, Reduce) and what a
// block's thunk produces.
//
// Data holds the elements in row-major order (the last index varies
// fastest); its length is the product of Shape. Origin is where the block
// lies in the whole array. Blocks are shared between the thunks that
// consume them: a block function must not modify its input blocks.
type Block[T Number] struct {
	Shape  []int
	Origin []int
	Data   []T
}

// newBlock returns a zeroed block covering d.
func newBlock[T Number](d Domain) *Block[T] {
	return &Block[T]{Shape: slices.Clone(d.Shape), Origin: slices.Clone(d.Origin), Data: make([]T, product(d.Shape))}
}

// Domain returns where the block lies in its array.
func (b *Block[T]) Domain() Domain { return Domain{Origin: b.Origin, Shape: b.Shape} }

// Len returns the number of elements.
func (b *Block[T]) Len() int { return len(b.Data) }

// NDims returns the number of dimensions.
func (b *Block[T]) NDims() int { return len(b.Shape) }

// At returns the element at idx, given relative to the block's origin. Like
// indexing a slice, it panics if idx lies outside the block.
func (b *Block[T]) At(idx ...int) T { return b.Data[b.offset(idx)] }

// Set sets the element at idx, given relative to the block's origin. Use it
// only on blocks a function is making, never on its inputs.
func (b *Block[T]) Set(v T, idx ...int) { b.Data[b.offset(idx)] = v }

func (b *Block[T]) offset(idx []int) int {
	if len(idx) != len(b.Shape) {
		panic(fmt.Sprintf("darray: %d indices for a block of shape %s", len(idx), shapeString(b.Shape)))
	}
	o := 0
	for k, i := range idx {
		if i < 0 || i >= b.Shape[k] {
			panic(fmt.Sprintf("darray: index %v out of range for a block of shape %s", idx, shapeString(b.Shape)))
		}
		o = o*b.Shape[k] + i
	}
	return o
}

// Dense returns a *mat.Dense that shares the block's memory, for a block of
// float64 elements with one dimension (a column vector) or two (a matrix).
// It returns nil for other element types and dimensions. Modifying the
// matrix modifies the block.
func (b *Block[T]) Dense() *mat.Dense {
	data, ok := any(b.Data).([]float64)
	if !ok || len(data) == 0 {
		return nil
	}
	switch len(b.Shape) {
	case 1:
		return mat.NewDense(b.Shape[0], 1, data)
	case 2:
		return mat.NewDense(b.Shape[0], b.Shape[1], data)
	}
	return nil
}

// Clone returns a deep copy of the block.
func (b *Block[T]) Clone() *Block[T] {
	return &Block[T]{Shape: slices.Clone(b.Shape), Origin: slices.Clone(b.Origin), Data: slices.Clone(b.Data)}
}

// String describes the block without its elements.
func (b *Block[T]) String() string {
	var z T
	return fmt.Sprintf("Block[%T]%v", z, b.Domain())
}

// check reports whether the block is well formed and covers d; the error
// describes the problem without a package prefix.
func (b *Block[T]) check(d Domain) error {
	if b == nil {
		return fmt.Errorf("a nil block where %v was expected", d)
	}
	if !slices.Equal(b.Shape, d.Shape) || !slices.Equal(b.Origin, d.Origin) {
		return fmt.Errorf("the block covers %v, the array's layout puts %v there", b.Domain(), d)
	}
	if len(b.Data) != product(b.Shape) {
		return fmt.Errorf("the block %v of shape %s holds %d elements, want %d", b.Domain(), shapeString(b.Shape), len(b.Data), product(b.Shape))
	}
	return nil
}
