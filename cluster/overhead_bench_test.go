package cluster_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
)

func bOne() int { return 1 }

func bCount(xs ...int) int { return len(xs) }

var (
	bOneFn   = cairn.Register("ct.bench.one", bOne)
	bCountFn = cairn.Register("ct.bench.count", bCount)
)

// BenchmarkFanIn10k is the per-task overhead of 10,000 trivial tasks on
// two worker processes.
func BenchmarkFanIn10k(b *testing.B) {
	ctx := context.Background()
	pl, _ := strconv.Atoi(os.Getenv("PIPE"))
	ex, err := cluster.New(ctx, cluster.Config{Workers: 2, Pipeline: pl})
	if err != nil {
		b.Fatal(err)
	}
	defer ex.Close()
	s := cairn.New(&cairn.Config{Executor: ex})
	defer s.Close()
	const n = 10000
	for b.Loop() {
		leaves := make([]any, n)
		for i := range leaves {
			leaves[i] = cairn.Delayed(bOneFn)()
		}
		start := time.Now()
		got, err := cairn.Collect[int](ctx, s, cairn.Delayed(bCountFn)(leaves...))
		if err != nil || got != n {
			b.Fatal(got, err)
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/n, "µs/task")
	}
}
