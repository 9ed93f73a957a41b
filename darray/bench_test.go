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

// BenchmarkMatMul compares a blocked MatMul of two 1024×1024 matrices in
// 256×256 blocks (inputs already distributed; the time covers the graph
// and the output blocks) with one gonum Dense.Mul. `cairn bench matmul`
// runs the 4096×4096 case.
func BenchmarkMatMul(b *testing.B) {
	const n, bs = 1024, 256
	src := rand.New(rand.NewPCG(1, 1))
	am := randDense(n, n, src.NormFloat64)
	bm := randDense(n, n, src.NormFloat64)
	b.Run("gonum", func(b *testing.B) {
		var c mat.Dense
		for b.Loop() {
			c.Mul(am, bm)
		}
	})
	b.Run("blocked", func(b *testing.B) {
		ctx := context.Background()
		s := cairn.New(nil)
		defer s.Close()
		a := must(DistributeDense(Blocks(bs, bs), am))
		bb := must(DistributeDense(Blocks(bs, bs), bm))
		a = must(a.Compute(ctx, s))
		bb = must(bb.Compute(ctx, s))
		for b.Loop() {
			c := must(MatMul(a, bb))
			if _, err := cairn.ComputeAll(ctx, s, c.Chunks()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
