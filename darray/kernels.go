package darray

import (
	"fmt"
	"slices"
)

// The block functions of the constructors and elementwise operations. Each
// is registered per element type (funcs.go) and takes only blocks and
// literals that hash into stable checkpoint keys. None modifies its inputs.

func zerosBlock[T Number](origin, shape []int) *Block[T] {
	return newBlock[T](Domain{Origin: origin, Shape: shape})
}

func fillBlock[T Number](v T, origin, shape []int) *Block[T] {
	b := newBlock[T](Domain{Origin: origin, Shape: shape})
	if v != 0 {
		for i := range b.Data {
			b.Data[i] = v
		}
	}
	return b
}

// identityBlock returns its input: the thunk of a block given as a value
// (Distribute) or already computed (Array.Compute).
func identityBlock[T Number](b *Block[T]) *Block[T] { return b }

// sameDomain checks that two operand blocks line up.
func sameDomain[T Number](op string, a, b *Block[T]) error {
	if a == nil || b == nil {
		return fmt.Errorf("%w: %s of a nil block", ErrShape, op)
	}
	if !slices.Equal(a.Shape, b.Shape) || !slices.Equal(a.Origin, b.Origin) || len(a.Data) != len(b.Data) {
		return fmt.Errorf("%w: %s of blocks %v and %v, which do not line up", ErrShape, op, a.Domain(), b.Domain())
	}
	return nil
}

// like returns a new block over a's domain with uninitialised contents
// (zeroed by Go).
func like[T Number](a *Block[T]) *Block[T] { return newBlock[T](a.Domain()) }

func addBlocks[T Number](a, b *Block[T]) (*Block[T], error) {
	if err := sameDomain("add", a, b); err != nil {
		return nil, err
	}
	c := like(a)
	x, y, z := a.Data, b.Data[:len(a.Data)], c.Data[:len(a.Data)]
	for i := range x {
		z[i] = x[i] + y[i]
	}
	return c, nil
}

func subBlocks[T Number](a, b *Block[T]) (*Block[T], error) {
	if err := sameDomain("sub", a, b); err != nil {
		return nil, err
	}
	c := like(a)
	x, y, z := a.Data, b.Data[:len(a.Data)], c.Data[:len(a.Data)]
	for i := range x {
		z[i] = x[i] - y[i]
	}
	return c, nil
}

func mulBlocks[T Number](a, b *Block[T]) (*Block[T], error) {
	if err := sameDomain("mul", a, b); err != nil {
		return nil, err
	}
	c := like(a)
	x, y, z := a.Data, b.Data[:len(a.Data)], c.Data[:len(a.Data)]
	for i := range x {
		z[i] = x[i] * y[i]
	}
	return c, nil
}

func scaleBlock[T Number](s T, a *Block[T]) *Block[T] {
	c := like(a)
	x, z := a.Data, c.Data[:len(a.Data)]
	for i := range x {
		z[i] = s * x[i]
	}
	return c
}

// accumBlocks sums blocks that line up (the partial products of MatMul).
func accumBlocks[T Number](bs ...*Block[T]) (*Block[T], error) {
	if len(bs) == 0 {
		return nil, fmt.Errorf("%w: sum of no blocks", ErrShape)
	}
	for _, b := range bs[1:] {
		if err := sameDomain("sum", bs[0], b); err != nil {
			return nil, err
		}
	}
	c := bs[0].Clone()
	for _, b := range bs[1:] {
		x, z := b.Data, c.Data[:len(b.Data)]
		for i := range x {
			z[i] += x[i]
		}
	}
	return c, nil
}

// transposeBlock reverses the axes of a block (the block of the transposed
// array at the reversed grid position).
func transposeBlock[T Number](a *Block[T]) *Block[T] {
	n := len(a.Shape)
	d := Domain{Origin: make([]int, n), Shape: make([]int, n)}
	for k := range n {
		d.Origin[k], d.Shape[k] = a.Origin[n-1-k], a.Shape[n-1-k]
	}
	c := newBlock[T](d)
	switch n {
	case 1:
		copy(c.Data, a.Data)
	case 2:
		transpose2(c.Data, a.Data, a.Shape[0], a.Shape[1])
	default:
		transposeN(c.Data, a.Data, a.Shape)
	}
	return c
}

// transpose2 writes the transpose of the r×c row-major matrix src to dst,
// in tiles that stay in cache.
func transpose2[T Number](dst, src []T, r, c int) {
	const tile = 32
	for i0 := 0; i0 < r; i0 += tile {
		i1 := min(i0+tile, r)
		for j0 := 0; j0 < c; j0 += tile {
			j1 := min(j0+tile, c)
			for i := i0; i < i1; i++ {
				row := src[i*c : i*c+c]
				for j := j0; j < j1; j++ {
					dst[j*r+i] = row[j]
				}
			}
		}
	}
}

// transposeN writes src, of the given shape, to dst with its axes reversed.
func transposeN[T Number](dst, src []T, shape []int) {
	n := len(shape)
	// dstStride[k] is the step in dst for a step along src axis k.
	dstStride := make([]int, n)
	s := 1
	for k := 0; k < n; k++ {
		dstStride[k] = s
		s *= shape[k]
	}
	idx := make([]int, n)
	o := 0
	for _, v := range src {
		dst[o] = v
		for k := n - 1; k >= 0; k-- {
			idx[k]++
			o += dstStride[k]
			if idx[k] < shape[k] {
				break
			}
			o -= idx[k] * dstStride[k]
			idx[k] = 0
		}
	}
}
