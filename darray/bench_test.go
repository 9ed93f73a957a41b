package darray

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cairnlabs/cairn"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkRandnBlock measures one 1024×1024 block of normal values.
func BenchmarkRandnBlock(b *testing.B) {
	shape := []int{1024, 1024}
	b.SetBytes(8 * 1024 * 1024)
	for b.Loop() {
		randnBlock[float64](1, shape, []int{0, 0}, shape)
	}
}

// BenchmarkRandnStdlib is the same work with math/rand/v2 (PCG and
// NormFloat64), for comparison.
func BenchmarkRandnStdlib(b *testing.B) {
	data := make([]float64, 1024*1024)
	b.SetBytes(8 * 1024 * 1024)
	for b.Loop() {
		r := rand.New(rand.NewPCG(1, 2))
		for i := range data {
			data[i] = r.NormFloat64()
		}
	}
}

// BenchmarkSumBlock measures the per-block sum of the seed workload.
func BenchmarkSumBlock(b *testing.B) {
	shape := []int{1024, 1024}
	blk := randnBlock[float64](1, shape, []int{0, 0}, shape)
	b.SetBytes(8 * 1024 * 1024)
	for b.Loop() {
		sumSlice(blk.Data)
	}
}

// BenchmarkMatMul compares a blocked MatMul (inputs already distributed;
// the time covers the graph and computing every output block) with one
// gonum Dense.Mul, at 1024×1024 in 256×256 blocks and, unless -short,
// 4096×4096 in 512×512 blocks (about 10 s an operation on 2 cores).
// `cairn bench matmul` runs the same comparison with CPU times.
func BenchmarkMatMul(b *testing.B) {
	for _, c := range []struct{ n, block int }{{1024, 256}, {4096, 512}} {
		b.Run(fmt.Sprintf("%d", c.n), func(b *testing.B) {
			if c.n > 1024 && testing.Short() {
				b.Skip("large product skipped in -short mode")
			}
			benchMatMul(b, c.n, c.block)
		})
	}
}

func benchMatMul(b *testing.B, n, bs int) {
	src := rand.New(rand.NewPCG(1, 1))
	am := randDense(n, n, src.NormFloat64)
	bm := randDense(n, n, src.NormFloat64)
	flops := func(b *testing.B) {
		b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
	}
	b.Run("gonum", func(b *testing.B) {
		var c mat.Dense
		for b.Loop() {
			c.Reset()
			c.Mul(am, bm)
		}
		flops(b)
	})
	b.Run(fmt.Sprintf("blocked%d", bs), func(b *testing.B) {
		ctx := context.Background()
		s := cairn.New(nil)
		defer s.Close()
		a := must(must(DistributeDense(Blocks(bs, bs), am)).Compute(ctx, s))
		bb := must(must(DistributeDense(Blocks(bs, bs), bm)).Compute(ctx, s))
		for b.Loop() {
			c := must(MatMul(a, bb))
			if _, err := cairn.ComputeAll(ctx, s, c.Chunks()); err != nil {
				b.Fatal(err)
			}
		}
		flops(b)
	})
}

// BenchmarkBlockProduct measures one 512×512 block product on the calling
// goroutine, as a MatMul thunk computes it (gemmAcc), beside gonum's Dgemm
// on the blocks as they are: the per-core kernel speeds that gemmAcc's
// comment cites.
func BenchmarkBlockProduct(b *testing.B) {
	const n = 512
	src := rand.New(rand.NewPCG(2, 2))
	x, y := make([]float64, n*n), make([]float64, n*n)
	for i := range x {
		x[i], y[i] = src.NormFloat64(), src.NormFloat64()
	}
	flops := func(b *testing.B) {
		b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
	}
	b.Run("gemmAcc/float64", func(b *testing.B) {
		dst := make([]float64, n*n)
		var scratch []float64
		for b.Loop() {
			scratch = gemmAcc(dst, x, y, n, n, n, scratch)
		}
		flops(b)
	})
	b.Run("gemmAcc/float32", func(b *testing.B) {
		x32, y32, dst := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
		for i := range x {
			x32[i], y32[i] = float32(x[i]), float32(y[i])
		}
		var scratch []float32
		for b.Loop() {
			scratch = gemmAcc(dst, x32, y32, n, n, n, scratch)
		}
		flops(b)
	})
	b.Run("Dgemm-as-is", func(b *testing.B) {
		dst := make([]float64, n*n)
		impl := gonum.Implementation{}
		for b.Loop() {
			// 64×192 strips: under gonum's threshold for going parallel
			// (four 64×64 tiles), so one core, as in a thunk.
			for i := 0; i < n; i += 64 {
				for j := 0; j < n; j += 192 {
					w := min(192, n-j)
					impl.Dgemm(blas.NoTrans, blas.NoTrans, 64, w, n, 1, x[i*n:], n, y[j:], n, 1, dst[i*n+j:], n)
				}
			}
		}
		flops(b)
	})
}
