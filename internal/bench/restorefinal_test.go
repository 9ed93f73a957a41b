package bench

import (
	"context"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/internal/seedload"
)

// BenchmarkRestoreFinal is the seed's last run at 16384² in 1024² blocks:
// build the graph, find the final result's checkpoint, restore it.
func BenchmarkRestoreFinal(b *testing.B) {
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
	st, err = checkpoint.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s = cairn.New(&cairn.Config{Checkpoints: st})
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
func BenchmarkRestoreFinalFresh(b *testing.B) {
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
