package cairn_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/internal/bench"
)

// BenchmarkOverhead measures build + run per thunk for the fan-in and chain
// shapes (`cairn bench overhead` prints the same with memory).
func BenchmarkOverhead(b *testing.B) {
	s := cairn.New(nil)
	defer s.Close()
	for _, shape := range []string{"fan-in", "chain"} {
		for _, n := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%d", shape, n), func(b *testing.B) {
				for b.Loop() {
					t, err := bench.Build(shape, n)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := cairn.Compute(context.Background(), s, t); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/thunk")
			})
		}
	}
}
