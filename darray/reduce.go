package darray

import (
	"fmt"
	"github.com/cairnlabs/cairn"
)

// fanIn is how many partial results one merge thunk combines: a reduction
// over n blocks is a tree of depth ⌈log₈ n⌉ above the per-block thunks.
const fanIn = 8

// Reduce returns a thunk that reduces a to one value: partial(b) for every
// block, then combine over groups of up to 8 partials, level after level,
// until one value is left (a tree of logarithmic depth). combine must be
// associative, and is applied even to a single partial. If partial and
// combine are named top-level functions, or were registered with
// cairn.Register, the thunks get stable checkpoint keys; closures make
// thunks that are never checkpointed automatically.
//
//	total := darray.Reduce(X, blockMax, maxOf) // blockMax(*Block[float64]) float64, maxOf(...float64) float64
//	m, err := cairn.Collect[float64](ctx, s, total)
func Reduce[T Number, R any](a *Array[T], partial func(*Block[T]) R, combine func(...R) R) *cairn.Thunk {
	return reduceWith(a, partial, combine)
}

// reduceWith builds the tree from any partial and combine function Delayed
// accepts (a func or a *cairn.Func).
func reduceWith[T Number](a *Array[T], partial, combine any) *cairn.Thunk {
	if a == nil {
		return nilReduction[T]()
	}
	prio := a.prio + 1
	site := callerSite()
	mk := cairn.Delayed(partial, cairn.Options{Priority: prio, CallSite: site})
	level := make([]any, len(a.parts))
	for i, p := range a.parts {
		level[i] = mk(p)
	}
	return tree(level, combine, prio+1, site)
}

// tree combines xs with combine in groups of fanIn until one thunk is left;
// its thunks report site as their call site.
func tree(xs []any, combine any, prio int, site string) *cairn.Thunk {
	for {
		mk := cairn.Delayed(combine, cairn.Options{Priority: prio, CallSite: site})
		next := make([]any, 0, (len(xs)+fanIn-1)/fanIn)
		for i := 0; i < len(xs); i += fanIn {
			next = append(next, mk(xs[i:min(i+fanIn, len(xs))]...))
		}
		if len(next) == 1 {
			return next[0].(*cairn.Thunk)
		}
		xs = next
		prio++
	}
}

// Sum returns a thunk that computes the sum of a's elements, as a T.
func Sum[T Number](a *Array[T]) *cairn.Thunk {
	k := kern[T]()
	return reduceWith(a, k.sum, k.sumMerge)
}

// Min returns a thunk that computes the smallest of a's elements, as a T.
// For floats, a NaN anywhere gives NaN.
func Min[T Number](a *Array[T]) *cairn.Thunk {
	k := kern[T]()
	return reduceWith(a, k.min, k.minMerge)
}

// Max returns a thunk that computes the largest of a's elements, as a T.
// For floats, a NaN anywhere gives NaN.
func Max[T Number](a *Array[T]) *cairn.Thunk {
	k := kern[T]()
	return reduceWith(a, k.max, k.maxMerge)
}

// Mean returns a thunk that computes the mean of a's elements as a float64
// (sums are taken in float64, so integer arrays do not overflow).
func Mean[T Number](a *Array[T]) *cairn.Thunk {
	if a == nil {
		return nilReduction[float64]()
	}
	k := kern[T]()
	total := reduceWith(a, k.sumF, sumFloatsFunc)
	n := float64(product(a.l.shape))
	return cairn.Delayed(divFunc, cairn.Options{Priority: total.Options().Priority + 1, CallSite: callerSite()})(total, n)
}

// sumBlock adds a block's elements in four interleaved sums, which runs
// about twice as fast as one running sum and is a little more accurate.
func sumBlock[T Number](b *Block[T]) T {
	return sumSlice(b.Data)
}

func sumSlice[T Number](x []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func sumMerge[T Number](xs ...T) T { return sumSlice(xs) }

// sumFloat64 adds a block's elements in float64.
func sumFloat64[T Number](b *Block[T]) float64 {
	var s0, s1, s2, s3 float64
	x := b.Data
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i])
		s1 += float64(x[i+1])
		s2 += float64(x[i+2])
		s3 += float64(x[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

func sumFloats(xs ...float64) float64 { return sumSlice(xs) }

func divide(x, n float64) float64 { return x / n }

func minBlock[T Number](b *Block[T]) T { return minOf(b.Data...) }

func maxBlock[T Number](b *Block[T]) T { return maxOf(b.Data...) }

func minMerge[T Number](xs ...T) T { return minOf(xs...) }

func maxMerge[T Number](xs ...T) T { return maxOf(xs...) }

// minOf returns the smallest of xs (NaN if any is NaN); xs is never empty
// here, since arrays and their blocks are never empty.
func minOf[T Number](xs ...T) T {
	m := xs[0]
	for _, x := range xs[1:] {
		if x != x {
			return x
		}
		if x < m {
			m = x
		}
	}
	return m
}

func maxOf[T Number](xs ...T) T {
	m := xs[0]
	for _, x := range xs[1:] {
		if x != x {
			return x
		}
		if x > m {
			m = x
		}
	}
	return m
}

// nilReduction is the thunk a reduction of a nil array gives: it fails with
// ErrShape when computed, as every other operation on a nil array does.
func nilReduction[R any]() *cairn.Thunk {
	return cairn.Delayed(func() (R, error) {
		var zero R
		return zero, fmt.Errorf("%w: reduction of a nil array", ErrShape)
	})()
}
