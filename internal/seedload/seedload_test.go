package seedload

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/cairnlabs/cairn"
)

// TestWorkload runs the workload and checks its result against the same
// sums computed directly from the collected array.
func TestWorkload(t *testing.T) {
	ctx := context.Background()
	s := cairn.New(&cairn.Config{Parallelism: 2})
	defer s.Close()
	w := Workload{N: 100, Block: 32, Seed: 3}
	z, err := w.Run(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	x, err := w.Array()
	if err != nil {
		t.Fatal(err)
	}
	all, err := x.Collect(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	want := math.Sqrt(math.Abs(total(all.Data)))
	if math.Abs(z-want) > 1e-9 {
		t.Errorf("seed workload = %v, want %v", z, want)
	}
	if _, err := (Workload{N: 10, Block: 0}).Graph(); err == nil {
		t.Error("no error for block size 0")
	}
}

// BenchmarkSeed runs the seed workload end to end (graph build and
// compute), as `cairn bench seed` does.
func BenchmarkSeed(b *testing.B) {
	for _, c := range []struct{ n, block int }{{1024, 128}, {4096, 512}} {
		b.Run(fmt.Sprintf("%d/%d", c.n, c.block), func(b *testing.B) {
			s := cairn.New(nil)
			defer s.Close()
			w := Workload{N: c.n, Block: c.block, Seed: 1}
			for b.Loop() {
				if _, err := w.Run(context.Background(), s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
