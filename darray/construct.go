package darray

import (
	"fmt"
	"math"

	"github.com/cairnlabs/cairn"
	"gonum.org/v1/gonum/mat"
)

// build makes an array of the given layout whose block i is mk(i, d), d
// being the block's subdomain.
func build[T Number](l layout, prio int, mk func(i int, d Domain) *cairn.Thunk) *Array[T] {
	a := &Array[T]{l: l, parts: make([]*cairn.Thunk, l.nblocks()), prio: prio}
	c := make([]int, len(l.grid))
	// The blocks' origins and shapes, in one allocation.
	dims := len(c)
	slab := make([]int, 2*dims*len(a.parts))
	for i := range a.parts {
		d := Domain{Origin: slab[:dims:dims], Shape: slab[dims : 2*dims : 2*dims]}
		slab = slab[2*dims:]
		l.subInto(c, d)
		a.parts[i] = mk(i, d)
		for k := len(c) - 1; k >= 0; k-- {
			c[k]++
			if c[k] < l.grid[k] {
				break
			}
			c[k] = 0
		}
	}
	return a
}

// Randn returns a float64 array of the given shape, cut into blocks, of
// standard normal values (mean 0, variance 1) drawn from seed (see Seed).
// Each block is made by its own thunk, so blocks are generated in parallel.
//
//	X, err := darray.Randn(darray.Blocks(128, 128), []int{1024, 1024}, darray.Seed(1))
func Randn(b Blocking, shape []int, opts ...Option) (*Array[float64], error) {
	return RandnOf[float64](b, shape, opts...)
}

// Rand returns a float64 array of values uniform in [0, 1), drawn from seed
// like Randn.
func Rand(b Blocking, shape []int, opts ...Option) (*Array[float64], error) {
	return RandOf[float64](b, shape, opts...)
}

// RandnOf is Randn for any float element type. A float32 array holds the
// float64 array's values rounded to float32.
func RandnOf[T Float](b Blocking, shape []int, opts ...Option) (*Array[T], error) {
	return random[T](fkern[T]().randn, b, shape, opts)
}

// RandOf is Rand for any float element type.
func RandOf[T Float](b Blocking, shape []int, opts ...Option) (*Array[T], error) {
	return random[T](fkern[T]().rand, b, shape, opts)
}

func random[T Float](f *cairn.Func, b Blocking, shape []int, opts []Option) (*Array[T], error) {
	l, err := newLayout(b, shape)
	if err != nil {
		return nil, err
	}
	o := getOptions(opts)
	unseeded := !o.seeded
	o.randomSeed()
	mk := o.delayed(f, basePrio, unseeded)
	seedArg, shapeArg := any(o.seed), any(l.shape) // boxed once for all blocks
	return build[T](l, basePrio, func(i int, d Domain) *cairn.Thunk {
		return mk(i, seedArg, shapeArg, d.Origin, d.Shape)
	}), nil
}

// randnBlock generates the block at origin of a normal array of the given
// shape: element g (its row-major position in the whole array) is the g-th
// variate of seed's stream.
func randnBlock[T Float](seed uint64, shape, origin, bshape []int) *Block[T] {
	s := newStream(seed, kindNormal)
	b := newBlock[T](Domain{Origin: origin, Shape: bshape})
	eachRow(shape, b.Domain(), func(src, at, n int) { fillNormal(b.Data[src:src+n], s, at) })
	return b
}

// fillNormal fills row with the variates of s from position at on.
func fillNormal[T Float](row []T, s stream, at int) {
	x := s.base + uint64(at+1)*s.gamma
	for i := range row {
		u := mix64(x)
		x += s.gamma
		// The fast path of normal, inlined.
		j := int32(u)
		k := u >> 32 & 0x7f
		if absInt32(j) < zigK[k] {
			row[i] = T(float64(j) * float64(zigW[k]))
		} else {
			row[i] = T(normalSlow(u))
		}
	}
}

// randBlock generates the block at origin of a uniform array of the given
// shape.
func randBlock[T Float](seed uint64, shape, origin, bshape []int) *Block[T] {
	s := newStream(seed, kindUniform)
	b := newBlock[T](Domain{Origin: origin, Shape: bshape})
	eachRow(shape, b.Domain(), func(src, at, n int) { fillUniform(b.Data[src:src+n], s, at) })
	return b
}

// fillUniform fills row with uniform values from position at of s on.
func fillUniform[T Float](row []T, s stream, at int) {
	x := s.base + uint64(at+1)*s.gamma
	for i := range row {
		v := T(uniform53(mix64(x)))
		if v >= 1 { // a float64 just under 1 rounds to float32(1)
			v = T(math.Nextafter32(1, 0))
		}
		row[i] = v
		x += s.gamma
	}
}

// Zeros returns an array of zeros of the given shape, cut into blocks.
func Zeros[T Number](b Blocking, shape []int, opts ...Option) (*Array[T], error) {
	l, err := newLayout(b, shape)
	if err != nil {
		return nil, err
	}
	o := getOptions(opts)
	mk := o.delayed(kern[T]().zeros, basePrio, false)
	return build[T](l, basePrio, func(i int, d Domain) *cairn.Thunk { return mk(i, d.Origin, d.Shape) }), nil
}

// Ones returns an array of ones of the given shape, cut into blocks.
func Ones[T Number](b Blocking, shape []int, opts ...Option) (*Array[T], error) {
	return Fill(b, shape, T(1), opts...)
}

// Fill returns an array of the given shape, cut into blocks, with every
// element v.
func Fill[T Number](b Blocking, shape []int, v T, opts ...Option) (*Array[T], error) {
	l, err := newLayout(b, shape)
	if err != nil {
		return nil, err
	}
	o := getOptions(opts)
	mk := o.delayed(kern[T]().fill, basePrio, false)
	return build[T](l, basePrio, func(i int, d Domain) *cairn.Thunk { return mk(i, v, d.Origin, d.Shape) }), nil
}

// FromFunc returns an array of the given shape, cut into blocks, whose
// element at idx is f(idx); blocks are filled by their own thunks, in
// parallel, so f must be safe for concurrent use. f must not keep idx,
// which is reused. Since f is a Go value that cannot be hashed, the blocks
// are not checkpointed automatically.
func FromFunc[T Number](b Blocking, shape []int, f func(idx []int) T, opts ...Option) (*Array[T], error) {
	l, err := newLayout(b, shape)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, fmt.Errorf("darray: FromFunc with a nil function")
	}
	o := getOptions(opts)
	gen := func(origin, bshape []int) *Block[T] {
		blk := newBlock[T](Domain{Origin: origin, Shape: bshape})
		idx := make([]int, len(bshape))
		copy(idx, origin)
		for j := range blk.Data {
			blk.Data[j] = f(idx)
			for k := len(idx) - 1; k >= 0; k-- {
				idx[k]++
				if idx[k] < origin[k]+bshape[k] {
					break
				}
				idx[k] = origin[k]
			}
		}
		return blk
	}
	site := callerSite()
	return build[T](l, basePrio, func(i int, d Domain) *cairn.Thunk {
		opt := cairn.Options{Priority: basePrio, NoCheckpoint: true, CallSite: site}
		if o.name != "" {
			opt.Name = fmt.Sprintf("%s[%d]", o.name, i)
		}
		return cairn.Delayed(gen, opt)(d.Origin, d.Shape)
	}), nil
}

// Distribute cuts data, the row-major elements of an array of the given
// shape, into blocks. The blocks are copies: data may be reused afterwards.
// The blocks' checkpoint keys hash their contents.
func Distribute[T Number](b Blocking, shape []int, data []T, opts ...Option) (*Array[T], error) {
	l, err := newLayout(b, shape)
	if err != nil {
		return nil, err
	}
	if n := product(shape); len(data) != n {
		return nil, fmt.Errorf("%w: Distribute of %d elements as shape %s, which holds %d", ErrShape, len(data), shapeString(shape), n)
	}
	o := getOptions(opts)
	mk := o.delayed(kern[T]().block, basePrio, false)
	return build[T](l, basePrio, func(i int, d Domain) *cairn.Thunk {
		blk := newBlock[T](d)
		eachRow(l.shape, d, func(src, at, n int) { copy(blk.Data[src:src+n], data[at:at+n]) })
		return mk(i, blk)
	}), nil
}

// DistributeDense cuts a gonum matrix into blocks (a copy, like Distribute).
func DistributeDense(b Blocking, m *mat.Dense, opts ...Option) (*Array[float64], error) {
	if m == nil || m.IsEmpty() {
		return nil, fmt.Errorf("%w: DistributeDense of an empty matrix", ErrShape)
	}
	r, c := m.Dims()
	raw := m.RawMatrix()
	data := raw.Data
	if raw.Stride != c {
		data = make([]float64, r*c)
		for i := 0; i < r; i++ {
			copy(data[i*c:(i+1)*c], raw.Data[i*raw.Stride:i*raw.Stride+c])
		}
	}
	return Distribute(b, []int{r, c}, data, opts...)
}
