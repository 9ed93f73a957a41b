package bench

import (
	"context"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/internal/seedload"
)

// checkpointedSeed runs the seed at 16384² in 1024² blocks once into a new
// file store (fsync off) and returns the store's URL and the workload.
func checkpointedSeed(b *testing.B) (string, seedload.Workload) {
	ctx := context.Background()
	url := "file://" + b.TempDir() + "?fsync=false"
	w := seedload.Workload{N: 16384, Block: 1024, Seed: 4}
	st, err := checkpoint.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	s := cairn.New(&cairn.Config{Checkpoints: st})
	if _, err := w.Run(ctx, s); err != nil {
		b.Fatal(err)
	}
	s.Close()
	st.Close()
	return url, w
}

// BenchmarkRestoreFinal is the seed's last run at 16384² in 1024² blocks:
// build the graph, find the final result's checkpoint, restore it (the
// store and the scheduler stay open from run to run).
func BenchmarkRestoreFinal(b *testing.B) {
	ctx := context.Background()
	url, w := checkpointedSeed(b)
	st, err := checkpoint.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s := cairn.New(&cairn.Config{Checkpoints: st})
	defer s.Close()
	var stats cairn.RunStats
	for b.Loop() {
		if _, err := w.Run(ctx, s, cairn.RunOptions{Stats: &stats}); err != nil {
			b.Fatal(err)
		}
		if stats.Restored != 1 || stats.Computed != 0 {
			b.Fatalf("stats %+v", stats)
		}
	}
}

// BenchmarkRestoreFinalFresh is that last run as a new process does it:
// open the store by its URL, build the graph, restore the final result.
// Each run leaves its run records in the store, so the store's history
// grows with b.N (as a store used for many runs does).
func BenchmarkRestoreFinalFresh(b *testing.B) {
	ctx := context.Background()
	url, w := checkpointedSeed(b)
	var stats cairn.RunStats
	for b.Loop() {
		st, err := checkpoint.Open(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		s := cairn.New(&cairn.Config{Checkpoints: st})
		if _, err := w.Run(ctx, s, cairn.RunOptions{Stats: &stats}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		st.Close()
		b.StartTimer()
		if stats.Restored != 1 || stats.Computed != 0 {
			b.Fatalf("stats %+v", stats)
		}
	}
}
