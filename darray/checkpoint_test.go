package darray

import (
	"context"
	"sync"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/memstore"
)

// statsOf runs f on a scheduler over store and returns its last run's stats.
func statsOf(t *testing.T, store *checkpoint.Store, f func(s *cairn.Scheduler)) cairn.RunStats {
	t.Helper()
	var mu sync.Mutex
	var st cairn.RunStats
	s := cairn.New(&cairn.Config{Parallelism: 2, Checkpoints: store, Listeners: []cairn.Listener{cairn.ListenerFunc(func(e cairn.Event) {
		if e.Kind == cairn.RunFinished {
			mu.Lock()
			st = *e.Stats
			mu.Unlock()
		}
	})}})
	f(s)
	s.Close()
	return st
}

// TestCheckpointResume runs a graph over a random array twice against one
// store: the second run restores what the first stored, blocks included
// (through the raw block codec), and gives the same bits.
func TestCheckpointResume(t *testing.T) {
	ctx := context.Background()
	store, err := checkpoint.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	build := func() *Array[float64] {
		x := must(Randn(Blocks(16, 16), []int{40, 40}, Seed(11)))
		return Scale(2, must(MatMul(x, Transpose(x))))
	}
	var first, second *Block[float64]
	st1 := statsOf(t, store, func(s *cairn.Scheduler) { first = collect(t, s, build()) })
	if st1.Checkpointed == 0 || st1.Restored != 0 {
		t.Fatalf("first run: %+v", st1)
	}
	st2 := statsOf(t, store, func(s *cairn.Scheduler) { second = collect(t, s, build()) })
	if st2.Computed != 0 || st2.Restored != 9 {
		t.Fatalf("second run computed %d and restored %d thunks, want 0 and the 9 output blocks", st2.Computed, st2.Restored)
	}
	if !bitsEqual(first.Data, second.Data) {
		t.Fatal("restored blocks differ from computed ones")
	}
	// A new seed is new work.
	st3 := statsOf(t, store, func(s *cairn.Scheduler) {
		collect(t, s, must(Randn(Blocks(16, 16), []int{40, 40}, Seed(12))))
	})
	if st3.Restored != 0 {
		t.Fatalf("a different seed restored %d blocks", st3.Restored)
	}
}
