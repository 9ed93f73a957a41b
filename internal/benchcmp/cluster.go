package benchcmp

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/internal/bench"
	"github.com/cairnlabs/cairn/internal/seedload"
)

// twoWorkers is the cluster executor the cluster rows share: two worker
// processes of this binary (which calls cluster.Main), started on first
// use, as Dask's scripts start their LocalCluster before they time.
var twoWorkers struct {
	once sync.Once
	ex   *cluster.Executor
	err  error
}

func workers(ctx context.Context) (*cluster.Executor, error) {
	twoWorkers.once.Do(func() {
		twoWorkers.ex, twoWorkers.err = cluster.New(ctx, cluster.Config{Workers: 2, Stderr: io.Discard,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	})
	return twoWorkers.ex, twoWorkers.err
}

// CloseWorkers stops the worker processes the cluster rows started, if
// any.
func CloseWorkers() {
	if twoWorkers.ex != nil {
		twoWorkers.ex.Close()
	}
}

// onWorkers runs f with a scheduler on the two workers.
func onWorkers(ctx context.Context, f func(s *cairn.Scheduler) (float64, error)) (float64, error) {
	ex, err := workers(ctx)
	if err != nil {
		return 0, err
	}
	s := cairn.New(&cairn.Config{Executor: ex})
	defer s.Close()
	runtime.GC()
	return f(s)
}

// clusterWorkloads are the rows on 2 worker processes, against Dask's
// distributed LocalCluster (2 workers × 1 thread, processes=True).
func clusterWorkloads() []Workload {
	const n = 10_000
	processes := "distributed-processes=True"
	return []Workload{{
		Name:  "overhead-2-workers fan-in " + count(n),
		Rows:  []RowSpec{{Name: "overhead-2-workers fan-in " + count(n), Tasks: n + 1}},
		Cairn: clusterOverhead("overhead-2-workers fan-in "+count(n), "fan-in", n+1),
		Peer: PeerCall{
			// The fan-in as one raw graph: the scheduler's cost without
			// dask.delayed's graph layers.
			Script: "bench_fanin_raw.py",
			Args:   []string{strconv.Itoa(n), "1"},
			Parse: one("overhead-2-workers fan-in "+count(n),
				func(l daskLine) bool { return l.Bench == "fanin-raw" && l.Scheduler == processes },
				func(l daskLine) float64 { return l.median(l.ComputeMedianS) }),
		},
	}, {
		Name:  "overhead-2-workers chain " + count(n),
		Rows:  []RowSpec{{Name: "overhead-2-workers chain " + count(n), Tasks: n}},
		Cairn: clusterOverhead("overhead-2-workers chain "+count(n), "chain", n),
		Peer: PeerCall{
			Script: "bench_distributed.py",
			Args:   []string{strconv.Itoa(n), "1"},
			Parse: one("overhead-2-workers chain "+count(n),
				func(l daskLine) bool {
					return l.Bench == "distributed-overhead" && l.Processes && l.Shape == "chain"
				},
				func(l daskLine) float64 { return l.median(l.ComputeMedianS) }),
		},
	}, {
		Name: "seed-2-workers 16384²/1024²",
		Rows: []RowSpec{{Name: "seed-2-workers 16384²/1024²"}},
		Cairn: func(ctx context.Context) ([]Sample, error) {
			d, err := onWorkers(ctx, func(s *cairn.Scheduler) (float64, error) {
				t0 := time.Now()
				_, err := (seedload.Workload{N: 16384, Block: 1024, Seed: 42}).Run(ctx, s)
				return time.Since(t0).Seconds(), err
			})
			return []Sample{{Row: "seed-2-workers 16384²/1024²", Seconds: d}}, err
		},
		Peer: PeerCall{
			Script: "bench_seed.py",
			Args:   []string{"16384", "1024", "1"},
			Parse: one("seed-2-workers 16384²/1024²",
				func(l daskLine) bool {
					return l.Bench == "seed" && l.Variant == "delayed-chunk-sums" && l.Scheduler == processes
				},
				func(l daskLine) float64 { return l.median(l.MedianS) }),
		},
	}}
}

// clusterOverhead times a graph of trivial tasks on the two workers.
func clusterOverhead(row, shape string, tasks int) func(ctx context.Context) ([]Sample, error) {
	return func(ctx context.Context) ([]Sample, error) {
		d, err := onWorkers(ctx, func(s *cairn.Scheduler) (float64, error) {
			r, err := bench.Overhead(ctx, s, shape, tasks)
			return r.RunNsPerThunk * float64(tasks) / 1e9, err
		})
		return []Sample{{Row: row, Seconds: d}}, err
	}
}
