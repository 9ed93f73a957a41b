package darray

import (
	"fmt"
	"math"
	"slices"
)

// Blocking says how an array is cut into blocks: one block size per
// dimension (Dagger's Blocks). Blocks along a dimension are all that size
// except the last, which holds what is left when the array's size is not a
// multiple of it. Make one with Blocks.
type Blocking struct {
	sizes []int
}

// Blocks returns the blocking with the given block size per dimension:
// Blocks(128, 128) cuts a matrix into 128×128 blocks. Sizes are checked when
// the blocking is used: each must be positive, and there must be one per
// dimension of the array.
func Blocks(sizes ...int) Blocking { return Blocking{sizes: slices.Clone(sizes)} }

// Sizes returns the block size of each dimension.
func (b Blocking) Sizes() []int { return slices.Clone(b.sizes) }

// String formats the blocking as "Blocks(128, 128)".
func (b Blocking) String() string {
	return "Blocks(" + joinInts(b.sizes, ", ") + ")"
}

// layout is the partition of an array of some shape into blocks.
type layout struct {
	shape []int // the array's size per dimension
	block []int // the block size per dimension (edge blocks may be smaller)
	grid  []int // the number of blocks per dimension
}

// maxElems bounds an array's element count, so that sizes never overflow.
const maxElems = math.MaxInt32 * 64

// newLayout checks shape and blocking and partitions shape.
func newLayout(b Blocking, shape []int) (layout, error) {
	if err := checkShape(shape); err != nil {
		return layout{}, err
	}
	if len(b.sizes) != len(shape) {
		return layout{}, fmt.Errorf("%w: %v has %d sizes for an array of shape %s (%d dimensions): give one block size per dimension",
			ErrBlocks, b, len(b.sizes), shapeString(shape), len(shape))
	}
	for _, s := range b.sizes {
		if s <= 0 {
			return layout{}, fmt.Errorf("%w: %v for an array of shape %s: every block size must be positive",
				ErrBlocks, b, shapeString(shape))
		}
	}
	l := layout{shape: slices.Clone(shape), block: slices.Clone(b.sizes), grid: make([]int, len(shape))}
	for k := range shape {
		l.block[k] = min(l.block[k], shape[k])
		l.grid[k] = (shape[k] + l.block[k] - 1) / l.block[k]
	}
	return l, nil
}

// checkShape checks that shape describes a non-empty array of sane size.
func checkShape(shape []int) error {
	if len(shape) == 0 {
		return fmt.Errorf("%w: shape %s has no dimensions: give at least one size", ErrShape, shapeString(shape))
	}
	n := 1
	for _, s := range shape {
		if s <= 0 {
			return fmt.Errorf("%w: shape %s: every size must be positive (empty arrays are not supported)", ErrShape, shapeString(shape))
		}
		if n > maxElems/s {
			return fmt.Errorf("%w: shape %s has more than %d elements", ErrShape, shapeString(shape), maxElems)
		}
		n *= s
	}
	return nil
}

// blocking returns the layout's blocking.
func (l layout) blocking() Blocking { return Blocking{sizes: slices.Clone(l.block)} }

// nblocks returns the number of blocks.
func (l layout) nblocks() int { return product(l.grid) }

// coords returns the grid coordinates of block i (row-major: the last
// dimension varies fastest).
func (l layout) coords(i int) []int {
	c := make([]int, len(l.grid))
	for k := len(l.grid) - 1; k >= 0; k-- {
		c[k] = i % l.grid[k]
		i /= l.grid[k]
	}
	return c
}

// index returns the position in grid order of the block at grid
// coordinates c, or an error naming them if they lie outside the grid.
func (l layout) index(c []int) (int, error) {
	if len(c) != len(l.grid) {
		return 0, fmt.Errorf("%w: %d indices given for a grid of %s blocks", ErrIndex, len(c), shapeString(l.grid))
	}
	i := 0
	for k, x := range c {
		if x < 0 || x >= l.grid[k] {
			return 0, fmt.Errorf("%w: block %s of a grid of %s blocks", ErrIndex, shapeString(c), shapeString(l.grid))
		}
		i = i*l.grid[k] + x
	}
	return i, nil
}

// sub returns the subdomain of the block at grid coordinates c.
func (l layout) sub(c []int) Domain {
	d := Domain{Origin: make([]int, len(c)), Shape: make([]int, len(c))}
	l.subInto(c, d)
	return d
}

// subInto is sub into d, whose slices have len(c) elements.
func (l layout) subInto(c []int, d Domain) {
	for k, x := range c {
		d.Origin[k] = x * l.block[k]
		d.Shape[k] = min(l.block[k], l.shape[k]-d.Origin[k])
	}
}

// sameAs reports whether two layouts have the same shape and blocks.
func (l layout) sameAs(m layout) bool {
	return slices.Equal(l.shape, m.shape) && slices.Equal(l.block, m.block)
}

// String describes the layout as "1024×1024 in Blocks(128, 128)".
func (l layout) String() string {
	return shapeString(l.shape) + " in " + l.blocking().String()
}

// shapeString formats a shape as "1024×1024" ("()" for no dimensions).
func shapeString(shape []int) string {
	if len(shape) == 0 {
		return "()"
	}
	return joinInts(shape, "×")
}

func joinInts(xs []int, sep string) string {
	s := ""
	for k, x := range xs {
		if k > 0 {
			s += sep
		}
		s += fmt.Sprint(x)
	}
	return s
}
