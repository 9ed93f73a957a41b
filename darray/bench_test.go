package darray

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cairnlabs/cairn"
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
		SeedSum(blk)
	}
}

// BenchmarkSeed runs the seed workload end to end (graph build and
// compute), as `cairn bench seed` does.
func BenchmarkSeed(b *testing.B) {
	for _, c := range []struct{ n, block int }{{1024, 128}, {4096, 512}} {
		b.Run(fmt.Sprintf("%d/%d", c.n, c.block), func(b *testing.B) {
			s := cairn.New(nil)
			defer s.Close()
			w := SeedWorkload{N: c.n, Block: c.block, Seed: 1}
			for b.Loop() {
				if _, err := w.Run(context.Background(), s); err != nil {
					b.Fatal(err)
				}
			}
		})
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
