package darray

import (
	"context"
	"fmt"
	"slices"

	"github.com/cairnlabs/cairn"
	"gonum.org/v1/gonum/mat"
)

// Array is an array cut into blocks, each the result of a thunk (Dagger's
// DArray). Arrays are lazy: constructors and operations only build thunks;
// nothing runs until the thunks, or thunks that consume them, are passed to
// cairn.Compute or Collect, or to the array's Compute or Collect.
//
// An Array is immutable and safe for concurrent use. Blocks are numbered in
// grid order: row-major over the grid of blocks, the last dimension varying
// fastest.
type Array[T Number] struct {
	l     layout
	parts []*cairn.Thunk
	// prio is the scheduling priority of the array's thunks. Each operation
	// gives its thunks a higher priority than its inputs', so that the
	// scheduler consumes blocks soon after making them (depth first) and
	// memory stays near a few blocks per core, whatever the array's size.
	prio int
}

// basePrio is the priority of constructors' thunks: below the default 0 of
// the thunks users make over an array's chunks, which therefore run as
// soon as their block is ready.
const basePrio = -1 << 20

// Shape returns the array's size in each dimension.
func (a *Array[T]) Shape() []int { return slices.Clone(a.l.shape) }

// NDims returns the number of dimensions.
func (a *Array[T]) NDims() int { return len(a.l.shape) }

// Len returns the number of elements.
func (a *Array[T]) Len() int { return product(a.l.shape) }

// Domain returns the array's domain: the box from the origin to its shape.
func (a *Array[T]) Domain() Domain {
	return Domain{Origin: make([]int, len(a.l.shape)), Shape: slices.Clone(a.l.shape)}
}

// Blocking returns the array's block sizes (those of its full blocks; edge
// blocks may be smaller).
func (a *Array[T]) Blocking() Blocking { return a.l.blocking() }

// Grid returns the number of blocks in each dimension.
func (a *Array[T]) Grid() []int { return slices.Clone(a.l.grid) }

// NumBlocks returns the number of blocks.
func (a *Array[T]) NumBlocks() int { return len(a.parts) }

// Chunks returns the thunks of the blocks in grid order; each produces a
// *Block[T]. They are arguments for cairn.Delayed:
//
//	for i, c := range X.Chunks() {
//		Y[i] = cairn.Delayed(sumBlock)(c) // func sumBlock(b *darray.Block[float64]) float64
//	}
//
// The slice is a copy; the thunks are shared with the array.
func (a *Array[T]) Chunks() []*cairn.Thunk { return slices.Clone(a.parts) }

// Block returns the thunk of the block at grid coordinates idx (one per
// dimension, each from 0 to Grid()[d]-1). An index outside the grid gives an
// error wrapping ErrIndex.
func (a *Array[T]) Block(idx ...int) (*cairn.Thunk, error) {
	i, err := a.l.index(idx)
	if err != nil {
		return nil, err
	}
	return a.parts[i], nil
}

// Subdomain returns where block i (in grid order) lies in the array. It
// panics if i is not in [0, NumBlocks()), like indexing a slice.
func (a *Array[T]) Subdomain(i int) Domain {
	if i < 0 || i >= len(a.parts) {
		panic(fmt.Sprintf("darray: Subdomain(%d) of an array of %d blocks", i, len(a.parts)))
	}
	return a.l.sub(a.l.coords(i))
}

// Subdomains returns every block's subdomain, in grid order.
func (a *Array[T]) Subdomains() []Domain {
	ds := make([]Domain, len(a.parts))
	for i := range ds {
		ds[i] = a.l.sub(a.l.coords(i))
	}
	return ds
}

// String describes the array, e.g. "Array[float64] 1024×1024 in Blocks(128, 128)".
func (a *Array[T]) String() string {
	var z T
	return fmt.Sprintf("Array[%T] %v", z, a.l)
}

// Compute runs every block's thunk on s (in one run, so shared work runs
// once) and returns an array over the results: its blocks' thunks hold
// their values, so arrays and thunks built on it do not compute them again.
// A failure is returned as cairn.ComputeAll returns it.
func (a *Array[T]) Compute(ctx context.Context, s *cairn.Scheduler, opts ...cairn.RunOptions) (*Array[T], error) {
	if a == nil {
		return nil, fmt.Errorf("%w: Compute of a nil array", ErrShape)
	}
	cs, err := cairn.ComputeAll(ctx, s, a.parts, opts...)
	if err != nil {
		return nil, err
	}
	k := kern[T]()
	mk := cairn.Delayed(k.block, cairn.Options{Priority: basePrio, CallSite: callerSite()})
	out := &Array[T]{l: a.l, parts: make([]*cairn.Thunk, len(cs)), prio: basePrio}
	for i, c := range cs {
		out.parts[i] = mk(c)
	}
	return out, nil
}

// Collect computes the array on s and returns it as one block covering the
// whole domain (Shape, a zero Origin and the elements in row-major order).
// For a float64 matrix, its Dense method, or CollectDense, gives a
// *mat.Dense.
func (a *Array[T]) Collect(ctx context.Context, s *cairn.Scheduler, opts ...cairn.RunOptions) (*Block[T], error) {
	if a == nil {
		return nil, fmt.Errorf("%w: Collect of a nil array", ErrShape)
	}
	cs, err := cairn.ComputeAll(ctx, s, a.parts, opts...)
	if err != nil {
		return nil, err
	}
	out := newBlock[T](a.Domain())
	for i, c := range cs {
		b, err := cairn.Value[*Block[T]](ctx, c)
		if err != nil {
			return nil, fmt.Errorf("darray: block %d: %w", i, err)
		}
		d := a.l.sub(a.l.coords(i))
		if err := b.check(d); err != nil {
			return nil, fmt.Errorf("%w: block %d of %v: %v", ErrShape, i, a, err)
		}
		place(out.Data, a.l.shape, b)
	}
	return out, nil
}

// CollectDense computes a 1- or 2-dimensional float64 array on s and
// returns it as a *mat.Dense (a 1-D array as a column vector).
func CollectDense(ctx context.Context, s *cairn.Scheduler, a *Array[float64], opts ...cairn.RunOptions) (*mat.Dense, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: CollectDense of a nil array", ErrShape)
	}
	if n := a.NDims(); n > 2 {
		return nil, fmt.Errorf("%w: CollectDense of an array of shape %s: a *mat.Dense has at most 2 dimensions", ErrShape, shapeString(a.l.shape))
	}
	b, err := a.Collect(ctx, s, opts...)
	if err != nil {
		return nil, err
	}
	return b.Dense(), nil
}

// place copies block b into dst, the row-major elements of an array of the
// given shape.
func place[T Number](dst []T, shape []int, b *Block[T]) {
	eachRow(shape, b.Domain(), func(src, at, n int) {
		copy(dst[at:at+n], b.Data[src:src+n])
	})
}

// eachRow calls fn for each row of d (a run along the last dimension) with
// the row's offset in d's row-major elements, its offset in the row-major
// elements of an array of the given shape, and its length.
func eachRow(shape []int, d Domain, fn func(src, at, n int)) {
	nd := len(shape)
	rowLen := d.Shape[nd-1]
	rows := product(d.Shape[:nd-1])
	// stride[k]: elements of the whole array per step along dimension k.
	stride := make([]int, nd)
	s := 1
	for k := nd - 1; k >= 0; k-- {
		stride[k] = s
		s *= shape[k]
	}
	idx := make([]int, nd-1)
	for r := 0; r < rows; r++ {
		at := d.Origin[nd-1]
		for k, i := range idx {
			at += (d.Origin[k] + i) * stride[k]
		}
		fn(r*rowLen, at, rowLen)
		for k := nd - 2; k >= 0; k-- {
			idx[k]++
			if idx[k] < d.Shape[k] {
				break
			}
			idx[k] = 0
		}
	}
}
