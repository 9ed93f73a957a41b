package darray

import (
	"context"
	"fmt"
	"math"

	"github.com/cairnlabs/cairn"
)

// SeedWorkload is the workload of the seed example (Dagger.jl's
// checkpointing example), as `cairn bench seed` runs it and as Dask's
// bench_seed.py runs it (its delayed-chunk-sums variant): an N×N matrix of
// standard normal values in Block×Block blocks, one sum per block, and
// sqrt(|Σ sums|) over them. The zero SumOptions give plain thunks; set
// checkpoint hooks there, or give the scheduler a checkpoint store, to
// measure checkpointing.
type SeedWorkload struct {
	N, Block int
	Seed     uint64
	// SumOptions are the options of the per-block sum thunks.
	SumOptions cairn.Options
	// FinishOptions are the options of the final thunk.
	FinishOptions cairn.Options
}

// The seed workload's functions, registered so that their thunks have
// stable checkpoint keys.
var (
	seedSumFunc    = cairn.Register("darray.seed.sum", SeedSum, cairn.Version(funcVersion))
	seedFinishFunc = cairn.Register("darray.seed.finish", SeedFinish, cairn.Version(funcVersion))
)

// SeedSum returns the sum of a block's elements (the seed's sum per chunk).
func SeedSum(b *Block[float64]) float64 { return sumSlice(b.Data) }

// SeedFinish returns sqrt(|Σ xs|) (the seed's final step, with the abs that
// Dask's script uses so that it never fails).
func SeedFinish(xs ...float64) float64 { return math.Sqrt(math.Abs(sumSlice(xs))) }

// Array returns the workload's random matrix.
func (w SeedWorkload) Array() (*Array[float64], error) {
	return Randn(Blocks(w.Block, w.Block), []int{w.N, w.N}, Seed(w.Seed))
}

// Graph builds the workload's thunks and returns the final one, which
// produces a float64. The sums are the thunks it takes as arguments.
func (w SeedWorkload) Graph() (*cairn.Thunk, error) {
	x, err := w.Array()
	if err != nil {
		return nil, fmt.Errorf("darray: seed workload: %w", err)
	}
	sum := cairn.Delayed(seedSumFunc, w.SumOptions)
	ys := make([]any, x.NumBlocks())
	for i, c := range x.Chunks() {
		ys[i] = sum(c)
	}
	return cairn.Delayed(seedFinishFunc, w.FinishOptions)(ys...), nil
}

// Run builds the graph and computes it on s: the end-to-end time that the
// benchmark measures includes both, as Dask's does.
func (w SeedWorkload) Run(ctx context.Context, s *cairn.Scheduler, opts ...cairn.RunOptions) (float64, error) {
	z, err := w.Graph()
	if err != nil {
		return 0, err
	}
	return cairn.Collect[float64](ctx, s, z, opts...)
}
