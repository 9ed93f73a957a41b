package cairn_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
)

// The seed's graph: independent sums into one variadic function.
func ExampleDelayed() {
	ctx := context.Background()
	s := cairn.New(nil) // the local scheduler on all cores
	defer s.Close()

	blocks := [][]float64{{1, 2}, {3, 4}, {-20, 1}}
	ys := make([]*cairn.Thunk, len(blocks))
	for i, b := range blocks {
		ys[i] = cairn.Delayed(sum)(b) // nothing runs yet
	}
	z := cairn.Delayed(func(xs ...float64) float64 {
		return math.Sqrt(math.Abs(sum(xs)))
	})(cairn.Args(ys)...)

	v, err := cairn.Collect[float64](ctx, s, z) // runs the graph in parallel
	fmt.Println(v, err)
	// Output: 3 <nil>
}

// A failing thunk fails its dependents; Collect says which one and why.
func ExampleThunkFailedError() {
	ctx := context.Background()
	s := cairn.New(&cairn.Config{Logger: discard()})
	defer s.Close()

	bad := cairn.Delayed(func(x float64) (float64, error) {
		if x < 0 {
			return 0, errors.New("negative input")
		}
		return math.Sqrt(x), nil
	}, cairn.Options{Name: "sqrt"})(-4.0)
	_, err := cairn.Collect[float64](ctx, s, cairn.Delayed(func(x float64) float64 { return 2 * x })(bad))

	var fe *cairn.ThunkFailedError
	if errors.As(err, &fe) {
		fmt.Println(fe.Name, "failed:", fe.Err)
	}
	// Output: sqrt failed: negative input
}

// Per-thunk checkpoint and restore hooks, as in Dagger's example: the
// second run restores the value instead of computing it.
func ExampleOptions_checkpoint() {
	ctx := context.Background()
	s := cairn.New(nil)
	defer s.Close()
	dir, _ := os.MkdirTemp("", "cairn-example-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "checkpoint-0.bin")

	runs := 0
	expensive := func() float64 { runs++; return 42 }
	opts := cairn.Options{
		Checkpoint: func(ctx context.Context, t *cairn.Thunk, r cairn.Chunk) error {
			return cairn.SaveFile(ctx, path, r) // atomic, fsynced, checksummed
		},
		Restore: func(ctx context.Context, t *cairn.Thunk) (cairn.Chunk, error) {
			return cairn.LoadFile(ctx, path) // no file yet: "nothing", the thunk runs
		},
	}
	for i := 0; i < 2; i++ {
		v, _ := cairn.Collect[float64](ctx, s, cairn.Delayed(expensive, opts)())
		fmt.Println(v, "after", runs, "run(s)")
	}
	// Output:
	// 42 after 1 run(s)
	// 42 after 1 run(s)
}

// With a store in the Config, every thunk of a registered function is
// checkpointed under an automatic key: no hooks, no hand-made names.
func ExampleConfig_checkpoints() {
	ctx := context.Background()
	store, err := checkpoint.Open(ctx, "mem://") // or file:///scratch/run1, sqlite://..., s3://...
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	for run := 1; run <= 2; run++ {
		s := cairn.New(&cairn.Config{Checkpoints: store})
		var st cairn.RunStats
		v, _ := cairn.Collect[float64](ctx, s, storeGraph([]int{1, 2, 3}, squareV1), cairn.RunOptions{Stats: &st})
		fmt.Printf("run %d: %v (computed %d, restored %d)\n", run, v, st.Computed, st.Restored)
		s.Close()
	}
	// Output:
	// run 1: 17.5 (computed 7, restored 0)
	// run 2: 17.5 (computed 0, restored 1)
}

// Spawn starts work at once; its handle can be fetched or passed on.
func ExampleSpawn() {
	ctx := context.Background()
	s := cairn.New(nil)
	defer s.Close()

	h := cairn.Spawn(ctx, s, cairn.Delayed(func(a, b int) int { return a * b })(6, 7))
	v, _ := cairn.Fetch[int](ctx, h)
	w, _ := cairn.Collect[int](ctx, s, cairn.Delayed(func(x int) int { return x + 1 })(h))
	fmt.Println(v, w)
	// Output: 42 43
}

// Register gives a function a stable name and version: the basis of
// automatic checkpoint keys and of running it in other processes.
func ExampleRegister() {
	scale := cairn.Register("example.scale", func(k float64, xs []float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = k * x
		}
		return out
	}, cairn.Version("1"))

	s := cairn.New(nil)
	defer s.Close()
	v, _ := cairn.Collect[[]float64](context.Background(), s, cairn.Delayed(scale)(2.0, []float64{1, 2, 3}))
	fmt.Println(scale.Name(), scale.Version(), v)
	// Output: example.scale 1 [2 4 6]
}
