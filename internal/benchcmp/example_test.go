package benchcmp_test

import (
	"os"
	"time"

	"github.com/cairnlabs/cairn/internal/benchcmp"
)

// A report prints as one table: each row's medians, their ratio and the
// spread of each side; a row whose Dask call ran past the limit says so.
func ExampleReport_WriteTable() {
	rep := &benchcmp.Report{
		Machine: benchcmp.Machine{CPU: "AMD EPYC", CPUs: 2, GOMAXPROCS: 2, MemoryGiB: 24, OS: "linux", Arch: "amd64", Go: "go1.26.8"},
		Peer:    benchcmp.PeerEnv{Python: "3.11.2", Dask: "2022.12.1", NumPy: "1.24.2"},
		Runs:    3,
		Rows: []benchcmp.Row{{
			RowSpec: benchcmp.RowSpec{Name: "overhead fan-in 10k", Tasks: 10_001, Shape: "fan-in"},
			Cairn:   []float64{0.0053, 0.0051, 0.0059},
			Peer:    []float64{0.91, 0.88, 0.95},
		}, {
			RowSpec:   benchcmp.RowSpec{Name: "overhead fan-in 1M", Tasks: 1_000_001, Shape: "fan-in"},
			Cairn:     []float64{0.70, 0.69, 0.74},
			PeerDNF:   true,
			PeerLimit: 2 * time.Minute,
		}},
		Skipped: []benchcmp.Skipped{{Workload: "seed-2-workers", Why: "cluster rows: not available in this build"}},
	}
	rep.WriteTable(os.Stdout)
	// Output:
	// cairn against Dask 2022.12.1 (threads scheduler, 2 workers; Python 3.11.2, NumPy 1.24.2)
	// machine: 2 CPUs (AMD EPYC), GOMAXPROCS 2, 24 GiB, linux/amd64, go1.26.8
	// 3 runs of each side, interleaved; ratio = cairn median / Dask median (below 1: cairn is faster)
	//
	// workload             cairn median  Dask median                  ratio    cairn min–max  Dask min–max
	// overhead fan-in 10k  5.30 ms       910 ms                       0.00582  5.10–5.90 ms   880–950 ms
	// overhead fan-in 1M   700 ms        did not finish within 120 s  –        690–740 ms     –
	// cluster rows: not available in this build — seed-2-workers
}
