package benchcmp

import "strconv"

// clusterUnavailable is why the cluster rows do not run in this build.
const clusterUnavailable = "cluster rows: not available in this build (they need the cluster executor)"

// clusterWorkloads are the rows on 2 worker processes, against Dask's
// distributed LocalCluster (2 workers × 1 thread, processes=True). Their
// Dask side is ready; cairn's needs the cluster executor. To add them,
// give each a Cairn function that runs the same graph on 2 worker
// processes (and returns one Sample for each row), and drop Unavailable.
func clusterWorkloads() []Workload {
	const n = 10_000
	processes := "distributed-processes=True"
	return []Workload{{
		Name:        "overhead-2-workers fan-in " + count(n),
		Rows:        []RowSpec{{Name: "overhead-2-workers fan-in " + count(n), Tasks: n + 1}},
		Unavailable: clusterUnavailable,
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
		Name:        "overhead-2-workers chain " + count(n),
		Rows:        []RowSpec{{Name: "overhead-2-workers chain " + count(n), Tasks: n}},
		Unavailable: clusterUnavailable,
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
		Name:        "seed-2-workers 16384²/1024²",
		Rows:        []RowSpec{{Name: "seed-2-workers 16384²/1024²"}},
		Unavailable: clusterUnavailable,
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
