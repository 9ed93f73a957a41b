// Package seedload is the workload of the seed example (Dagger.jl's
// checkpointing example) as cairn's benchmarks and tests run it, and as
// Dask's bench_seed.py runs it (its delayed-chunk-sums variant): an N×N
// matrix of standard normal values in Block×Block blocks, one sum per
// block, and sqrt(|Σ sums|) over them.
package seedload

import (
	"context"
	"fmt"
	"math"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/darray"
)

// Workload is the seed workload. The zero SumOptions give plain thunks; set
// checkpoint hooks there, or give the scheduler a checkpoint store, to
// measure checkpointing.
type Workload struct {
	N, Block int
	Seed     uint64
	// SumOptions are the options of the per-block sum thunks.
	SumOptions cairn.Options
	// FinishOptions are the options of the final thunk.
	FinishOptions cairn.Options
}

// The workload's functions, registered so that their thunks have stable
// checkpoint keys and run on cluster workers. The names and version are
// those they had in package darray, so existing checkpoints still match.
var (
	sumFunc    = cairn.Register("darray.seed.sum", Sum, cairn.Version("2"))
	finishFunc = cairn.Register("darray.seed.finish", Finish, cairn.Version("2"))
)

// Sum returns the sum of a block's elements (the seed's sum per chunk).
func Sum(b *darray.Block[float64]) float64 { return total(b.Data) }

// Finish returns sqrt(|Σ xs|) (the seed's final step, with the abs that
// Dask's script uses so that it never fails).
func Finish(xs ...float64) float64 { return math.Sqrt(math.Abs(total(xs))) }

func total(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// Array returns the workload's random matrix.
func (w Workload) Array() (*darray.Array[float64], error) {
	return darray.Randn(darray.Blocks(w.Block, w.Block), []int{w.N, w.N}, darray.Seed(w.Seed))
}

// Graph builds the workload's thunks and returns the final one, which
// produces a float64. The sums are the thunks it takes as arguments.
func (w Workload) Graph() (*cairn.Thunk, error) {
	x, err := w.Array()
	if err != nil {
		return nil, fmt.Errorf("seed workload: %w", err)
	}
	sum := cairn.Delayed(sumFunc, w.SumOptions)
	ys := make([]any, x.NumBlocks())
	for i, c := range x.Chunks() {
		ys[i] = sum(c)
	}
	return cairn.Delayed(finishFunc, w.FinishOptions)(ys...), nil
}

// Run builds the graph and computes it on s: the end-to-end time that the
// benchmark measures includes both, as Dask's does.
func (w Workload) Run(ctx context.Context, s *cairn.Scheduler, opts ...cairn.RunOptions) (float64, error) {
	z, err := w.Graph()
	if err != nil {
		return 0, err
	}
	return cairn.Collect[float64](ctx, s, z, opts...)
}
