package darray

import (
	"fmt"

	"github.com/cairnlabs/cairn"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// MatMul returns the matrix product a·b of two 2-D arrays, blocked: output
// block (i, j) is the sum over k of the block products a(i, k)·b(k, j).
// Each thunk multiplies and accumulates up to 8 block pairs with gonum's
// Dgemv on the transposed block of b (Sgemm for float32, a plain loop for
// integers; see gemmAcc); when a has more than 8 block columns, the partial
// sums are added in a tree.
//
// a's column count must equal b's row count, and a's column block size
// must equal b's row block size, so that the blocks line up.
func MatMul[T Number](a, b *Array[T]) (*Array[T], error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("%w: MatMul of a nil array", ErrShape)
	}
	if a.NDims() != 2 || b.NDims() != 2 {
		return nil, fmt.Errorf("%w: MatMul of arrays of shapes %s and %s: both must be 2-D", ErrShape, shapeString(a.l.shape), shapeString(b.l.shape))
	}
	if a.l.shape[1] != b.l.shape[0] {
		return nil, fmt.Errorf("%w: MatMul of %s by %s: the first's columns (%d) must equal the second's rows (%d)",
			ErrShape, shapeString(a.l.shape), shapeString(b.l.shape), a.l.shape[1], b.l.shape[0])
	}
	if a.l.block[1] != b.l.block[0] {
		return nil, fmt.Errorf("%w: MatMul of %v by %v: the first's column blocks (%d) must equal the second's row blocks (%d)",
			ErrBlocks, a.l, b.l, a.l.block[1], b.l.block[0])
	}
	l := layout{
		shape: []int{a.l.shape[0], b.l.shape[1]},
		block: []int{a.l.block[0], b.l.block[1]},
		grid:  []int{a.l.grid[0], b.l.grid[1]},
	}
	k := kern[T]()
	prio := max(a.prio, b.prio) + 1
	site := callerSite()
	mul := cairn.Delayed(k.matmul, cairn.Options{Priority: prio, CallSite: site})
	nk := a.l.grid[1]
	out := &Array[T]{l: l, parts: make([]*cairn.Thunk, l.nblocks()), prio: prio + 1}
	for i := range l.grid[0] {
		for j := range l.grid[1] {
			var partials []any
			for k0 := 0; k0 < nk; k0 += fanIn {
				k1 := min(k0+fanIn, nk)
				args := make([]any, 0, 1+2*(k1-k0))
				args = append(args, k1-k0)
				for kk := k0; kk < k1; kk++ {
					args = append(args, a.parts[i*nk+kk])
				}
				for kk := k0; kk < k1; kk++ {
					args = append(args, b.parts[kk*l.grid[1]+j])
				}
				partials = append(partials, mul(args...))
			}
			if len(partials) == 1 {
				out.parts[i*l.grid[1]+j] = partials[0].(*cairn.Thunk)
			} else {
				out.parts[i*l.grid[1]+j] = tree(partials, k.accum, prio+1, site)
			}
		}
	}
	return out, nil
}

// matmulBlocks returns the sum of the products as[k]·bs[k], where blocks
// holds the n blocks as and then the n blocks bs.
func matmulBlocks[T Number](n int, blocks ...*Block[T]) (*Block[T], error) {
	if n < 1 || len(blocks) != 2*n {
		return nil, fmt.Errorf("%w: matmul of %d blocks as %d pairs", ErrShape, len(blocks), n)
	}
	as, bs := blocks[:n], blocks[n:]
	for _, x := range blocks {
		if x == nil || len(x.Shape) != 2 || len(x.Origin) != 2 || len(x.Data) != x.Shape[0]*x.Shape[1] {
			return nil, fmt.Errorf("%w: matmul of a block that is not a well-formed matrix", ErrShape)
		}
	}
	r, c := as[0].Shape[0], bs[0].Shape[1]
	for q := range n {
		if as[q].Shape[0] != r || bs[q].Shape[1] != c || as[q].Shape[1] != bs[q].Shape[0] {
			return nil, fmt.Errorf("%w: matmul of blocks %v (%s) and %v (%s) into a %d×%d block",
				ErrShape, as[q].Domain(), shapeString(as[q].Shape), bs[q].Domain(), shapeString(bs[q].Shape), r, c)
		}
	}
	out := newBlock[T](Domain{Origin: []int{as[0].Origin[0], bs[0].Origin[1]}, Shape: []int{r, c}})
	var scratch []T
	for q := range n {
		scratch = gemmAcc(out.Data, as[q].Data, bs[q].Data, r, as[q].Shape[1], c, scratch)
	}
	return out, nil
}

// gemmAcc adds the product of the r×m matrix a and the m×c matrix b, all
// row-major and contiguous, to the r×c matrix c. It transposes b first,
// into scratch (grown if needed, and returned for the next call), so that
// gonum's kernels read two contiguous rows per dot product.
//
// float64 goes to gonum's Dgemv, one row of c at a time in strips of 64
// columns: its kernel (f64.GemvN) computes four dot products per pass over
// a row of a, loading it once for four multiply-adds. Measured on this
// machine for 512×512 blocks, both cores busy: 40 GFLOPS, against 30 for
// Dgemm on the transposed b in 32×128 strips and 24 for Dgemm as is (which
// streams an axpy into a row of c: two loads and a store per
// multiply-add); on one core (BenchmarkBlockProduct), 22.5 GFLOPS against
// 12.2. float32 goes to Sgemm on the transposed b in 32×128
// strips, as fast as Sgemv here. Either way every call is small enough for
// gonum to run it on the calling goroutine (it goes parallel from four
// 64×64 tiles of c up), which is what a task wants: the scheduler's slots
// already use every core.
func gemmAcc[T Number](dst, a, b []T, r, m, c int, scratch []T) []T {
	switch d := any(dst).(type) {
	case []float64:
		af := any(a).([]float64)
		bt := transpose(any(scratch).([]float64), any(b).([]float64), m, c)
		impl := gonum.Implementation{}
		const strip = 64
		for j := 0; j < c; j += strip {
			w := min(strip, c-j)
			for i := range r {
				impl.Dgemv(blas.NoTrans, w, m, 1, bt[j*m:], m, af[i*m:i*m+m], 1, 1, d[i*c+j:i*c+j+w], 1)
			}
		}
		return any(bt).([]T)
	case []float32:
		af := any(a).([]float32)
		bt := transpose(any(scratch).([]float32), any(b).([]float32), m, c)
		impl := gonum.Implementation{}
		const stripRows, stripCols = 32, 128
		for i := 0; i < r; i += stripRows {
			h := min(stripRows, r-i)
			for j := 0; j < c; j += stripCols {
				w := min(stripCols, c-j)
				impl.Sgemm(blas.NoTrans, blas.Trans, h, w, m, 1, af[i*m:], m, bt[j*m:], m, 1, d[i*c+j:], c)
			}
		}
		return any(bt).([]T)
	}
	// Integers (and named float types): i-k-j order streams rows of b and
	// dst.
	for i := range r {
		row := dst[i*c : i*c+c]
		for k, aik := range a[i*m : i*m+m] {
			if aik == 0 {
				continue
			}
			brow := b[k*c : k*c+c]
			for j := range row {
				row[j] += aik * brow[j]
			}
		}
	}
	return scratch
}

// transpose returns the c×m transpose of the m×c row-major matrix x, in
// buf if it is large enough, copied in 32×32 tiles so that both sides stay
// in cache.
func transpose[T any](buf, x []T, m, c int) []T {
	const tile = 32
	t := buf
	if cap(t) < m*c {
		t = make([]T, m*c)
	}
	t = t[:m*c]
	for i0 := 0; i0 < m; i0 += tile {
		i1 := min(i0+tile, m)
		for j0 := 0; j0 < c; j0 += tile {
			j1 := min(j0+tile, c)
			for i := i0; i < i1; i++ {
				row := x[i*c : i*c+c]
				for j := j0; j < j1; j++ {
					t[j*m+i] = row[j]
				}
			}
		}
	}
	return t
}
