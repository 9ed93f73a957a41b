package benchcmp

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/internal/bench"
	"github.com/cairnlabs/cairn/internal/seedload"
)

// Workloads returns every workload of `cairn bench compare`, in the order
// they run: trivial-task overhead (fan-in and chain, 1k to 1M tasks,
// threads), graph build, the seed workload at two sizes, the seed with
// per-block checkpoints, and the cluster rows.
func Workloads() []Workload {
	var ws []Workload
	for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
		for _, shape := range []string{"fan-in", "chain"} {
			ws = append(ws, overhead(shape, n))
		}
	}
	ws = append(ws, build(1_000), build(10_000))
	ws = append(ws, seed(1024, 128, true), seed(16384, 1024, false))
	ws = append(ws, seedCkpt(1024, 128, true), seedCkpt(16384, 1024, false))
	return append(ws, clusterWorkloads()...)
}

// Select returns the workloads of ws that a run includes: those marked
// Quick for a quick run (all for a full one), and of those the ones whose
// name only matches (nil: all). Unavailable workloads are kept in quick
// runs too, so that the report says they did not run.
func Select(ws []Workload, quick bool, only *regexp.Regexp) []Workload {
	var out []Workload
	for _, w := range ws {
		if (quick && !w.Quick && w.Unavailable == "") || (only != nil && !only.MatchString(w.Name)) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// count names a task count briefly: 1k, 100k, 1M.
func count(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1_000 && n%1_000 == 0:
		return strconv.Itoa(n/1_000) + "k"
	}
	return strconv.Itoa(n)
}

// overhead is the trivial-task overhead of one shape: a graph of n tasks
// (fan-in: n leaves into one, n+1 tasks, as Dask's script builds it)
// computed on the threads scheduler, build excluded. Dask's side is
// bench_threaded_fresh.py: one compute in a fresh interpreter after a
// 1,000-task warm-up.
func overhead(shape string, n int) Workload {
	name := fmt.Sprintf("overhead %s %s", shape, count(n))
	tasks, daskShape := n, "chain"
	if shape == "fan-in" {
		tasks, daskShape = n+1, "fanin"
	}
	return Workload{
		Name:  name,
		Rows:  []RowSpec{{Name: name, Tasks: tasks, Shape: shape}},
		Quick: n <= 100_000,
		Cairn: func(ctx context.Context) ([]Sample, error) {
			s := cairn.New(nil)
			defer s.Close()
			r, err := bench.Overhead(ctx, s, shape, tasks)
			if err != nil {
				return nil, err
			}
			return []Sample{{Row: name, Seconds: r.RunNsPerThunk * float64(tasks) / 1e9}}, nil
		},
		Peer: PeerCall{
			Script: "bench_threaded_fresh.py",
			Args:   []string{strconv.Itoa(n), daskShape, "threads"},
			Parse: one(name, func(l daskLine) bool { return l.Bench == "threaded-fresh" },
				func(l daskLine) float64 { return l.ComputeS }),
		},
	}
}

// build is the time to build a chain of n calls with the public API
// (cairn.Delayed, dask.delayed), nothing computed. Dask's side is
// bench_delayed_chain_build.py, one build in a fresh interpreter (the
// script has no warm-up; its build is super-linear in n).
func build(n int) Workload {
	name := "build chain " + count(n)
	return Workload{
		Name:  name,
		Rows:  []RowSpec{{Name: name}},
		Quick: n <= 1_000,
		Cairn: func(context.Context) ([]Sample, error) {
			runtime.GC()
			t0 := time.Now()
			if _, err := bench.Build("chain", n); err != nil {
				return nil, err
			}
			return []Sample{{Row: name, Seconds: time.Since(t0).Seconds()}}, nil
		},
		Peer: PeerCall{
			Script: "bench_delayed_chain_build.py",
			Args:   []string{strconv.Itoa(n)},
			Parse: one(name, func(l daskLine) bool { return l.Bench == "delayed-chain-build" },
				func(l daskLine) float64 { return l.BuildS }),
		},
	}
}

// seed is the seed workload end to end (graph build and compute): randn
// n×n in b×b blocks, a sum per block, sqrt(|total|). Dask's side is
// bench_seed.py's threads delayed-chunk-sums line (after its own warm-up);
// the script is stopped there.
func seed(n, b int, quick bool) Workload {
	name := fmt.Sprintf("seed %d²/%d²", n, b)
	return Workload{
		Name:  name,
		Rows:  []RowSpec{{Name: name}},
		Quick: quick,
		Cairn: func(ctx context.Context) ([]Sample, error) {
			s := cairn.New(nil)
			defer s.Close()
			runtime.GC()
			t0 := time.Now()
			if _, err := (seedload.Workload{N: n, Block: b, Seed: 42}).Run(ctx, s); err != nil {
				return nil, err
			}
			return []Sample{{Row: name, Seconds: time.Since(t0).Seconds()}}, nil
		},
		Peer: PeerCall{
			Script: "bench_seed.py",
			Args:   []string{strconv.Itoa(n), strconv.Itoa(b), "1"},
			Parse: one(name, func(l daskLine) bool {
				return l.Bench == "seed" && l.Variant == "delayed-chunk-sums" && l.Scheduler == "threads"
			}, func(l daskLine) float64 { return l.median(l.MedianS) }),
		},
	}
}
