package darray

import (
	"fmt"

	"github.com/cairnlabs/cairn"
)

// Map returns the array of f applied to every element of a, block by block
// in parallel. f must be safe for concurrent use. Since f is a Go value that
// cannot be hashed, the blocks are not checkpointed automatically; use
// MapBlocks with a named or registered function for that.
func Map[T, U Number](a *Array[T], f func(T) U) *Array[U] {
	if a == nil {
		return nil // Compute and Collect of it report ErrShape
	}
	g := func(b *Block[T]) *Block[U] {
		c := newBlock[U](b.Domain())
		for i, x := range b.Data {
			c.Data[i] = f(x)
		}
		return c
	}
	mk := cairn.Delayed(g, cairn.Options{Priority: a.prio + 1, NoCheckpoint: true, CallSite: callerSite()})
	out := &Array[U]{l: a.l, parts: make([]*cairn.Thunk, len(a.parts)), prio: a.prio + 1}
	for i, p := range a.parts {
		out.parts[i] = mk(p)
	}
	return out
}

// MapBlocks returns the array of f applied to every block of a, in
// parallel. f must return a block with the same Shape and Origin as its
// input (Collect reports one that does not), and must not modify its input.
// If f is a named top-level function or was registered with cairn.Register,
// the blocks get stable checkpoint keys.
func MapBlocks[T, U Number](a *Array[T], f func(*Block[T]) (*Block[U], error)) *Array[U] {
	if a == nil {
		return nil // Compute and Collect of it report ErrShape
	}
	mk := cairn.Delayed(f, cairn.Options{Priority: a.prio + 1, CallSite: callerSite()})
	out := &Array[U]{l: a.l, parts: make([]*cairn.Thunk, len(a.parts)), prio: a.prio + 1}
	for i, p := range a.parts {
		out.parts[i] = mk(p)
	}
	return out
}

// Add returns the elementwise sum a + b. The arrays must have the same
// shape and block sizes.
func Add[T Number](a, b *Array[T]) (*Array[T], error) { return zip("Add", kern[T]().add, a, b) }

// Sub returns the elementwise difference a - b. The arrays must have the
// same shape and block sizes.
func Sub[T Number](a, b *Array[T]) (*Array[T], error) { return zip("Sub", kern[T]().sub, a, b) }

// Mul returns the elementwise product a * b. The arrays must have the same
// shape and block sizes.
func Mul[T Number](a, b *Array[T]) (*Array[T], error) { return zip("Mul", kern[T]().mul, a, b) }

// Scale returns s * a.
func Scale[T Number](s T, a *Array[T]) *Array[T] {
	if a == nil {
		return nil // Compute and Collect of it report ErrShape
	}
	mk := cairn.Delayed(kern[T]().scale, cairn.Options{Priority: a.prio + 1, CallSite: callerSite()})
	out := &Array[T]{l: a.l, parts: make([]*cairn.Thunk, len(a.parts)), prio: a.prio + 1}
	for i, p := range a.parts {
		out.parts[i] = mk(s, p)
	}
	return out
}

// zip applies a registered two-block function blockwise.
func zip[T Number](op string, f *cairn.Func, a, b *Array[T]) (*Array[T], error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("%w: %s of a nil array", ErrShape, op)
	}
	if !a.l.sameAs(b.l) {
		return nil, fmt.Errorf("%w: %s of %v and %v: the shapes and block sizes must match", ErrShape, op, a.l, b.l)
	}
	prio := max(a.prio, b.prio) + 1
	mk := cairn.Delayed(f, cairn.Options{Priority: prio, CallSite: callerSite()})
	out := &Array[T]{l: a.l, parts: make([]*cairn.Thunk, len(a.parts)), prio: prio}
	for i := range a.parts {
		out.parts[i] = mk(a.parts[i], b.parts[i])
	}
	return out, nil
}

// Transpose returns a with its axes reversed (the usual transpose of a
// matrix; a 1-D array is returned as it is). Block (i, j) of the result is
// the transpose of block (j, i) of a.
func Transpose[T Number](a *Array[T]) *Array[T] {
	if a == nil {
		return nil // Compute and Collect of it report ErrShape
	}
	if a.NDims() == 1 {
		return a
	}
	n := len(a.l.shape)
	rev := func(xs []int) []int {
		r := make([]int, n)
		for k := range xs {
			r[k] = xs[n-1-k]
		}
		return r
	}
	l := layout{shape: rev(a.l.shape), block: rev(a.l.block), grid: rev(a.l.grid)}
	mk := cairn.Delayed(kern[T]().transpose, cairn.Options{Priority: a.prio + 1, CallSite: callerSite()})
	out := &Array[T]{l: l, parts: make([]*cairn.Thunk, len(a.parts)), prio: a.prio + 1}
	for i := range out.parts {
		src, _ := a.l.index(rev(l.coords(i)))
		out.parts[i] = mk(a.parts[src])
	}
	return out
}
