// Command seed is Dagger.jl's checkpointing example, as written in its
// documentation, in Go with cairn.
//
//	go run ./examples/seed            # run 1: computes, checkpoints the sums, fails in inner
//	go run ./examples/seed -fixed     # run 2: restores every sum, runs only inner
//	go run ./examples/seed -fixed     # run 3: the final checkpoint exists; nothing runs
//
// Checkpoints go to the current directory (checkpoint-<idx>.bin and
// checkpoint-final.bin), as in the seed; -dir puts them elsewhere.
//
// With -store URL the checkpoints are automatic instead: every thunk is
// keyed by its function, its function's code and its inputs, and stored
// in the store at URL. Then fixing inner in this file (add the abs) and
// running again restores every block sum and recomputes only inner, with
// no -fixed flag: inner's code changed, so its key did.
//
//	go run ./examples/seed -store file:///tmp/seed   # computes, fails in inner
//	(fix inner: s = math.Abs(s) before the check)
//	go run ./examples/seed -store file:///tmp/seed   # restores 64 sums, computes inner
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/filestore" // file:// stores
	_ "github.com/cairnlabs/cairn/checkpoint/memstore"  // mem:// stores
	"github.com/cairnlabs/cairn/darray"
)

// sumBlock is Julia's sum on one chunk of X.
func sumBlock(b *darray.Block[float64]) float64 {
	s := 0.0
	for _, v := range b.Data {
		s += v
	}
	return s
}

// inner is the seed's inner(x...) = sqrt(sum(x)). Go's math.Sqrt returns
// NaN for a negative number where Julia throws a DomainError, so it returns
// the error itself.
func inner(x ...float64) (float64, error) {
	s := 0.0
	for _, v := range x {
		s += v
	}
	if s < 0 {
		return 0, fmt.Errorf("DomainError with %g: sqrt of a negative number", s)
	}
	return math.Sqrt(s), nil
}

// innerFixed is inner with the missing abs.
func innerFixed(x ...float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return math.Sqrt(math.Abs(s))
}

func main() {
	fixed := flag.Bool("fixed", false, "use inner with the abs the seed forgot, and checkpoint the final result")
	dir := flag.String("dir", ".", "where the checkpoint files go")
	storeURL := flag.String("store", "", "checkpoint automatically to this store (file:///abs/dir) instead of per-block files")
	flag.Parse()
	ctx := context.Background()
	if *storeURL != "" {
		runWithStore(ctx, *storeURL, *fixed)
		return
	}
	s := cairn.New(nil) // the local scheduler on all cores
	defer s.Close()

	// X = randn(Blocks(128,128), 1024, 1024); seed 4 gives a negative total.
	X, err := darray.Randn(darray.Blocks(128, 128), []int{1024, 1024}, darray.Seed(4))
	if err != nil {
		log.Fatal(err)
	}
	Y := make([]*cairn.Thunk, len(X.Chunks()))
	for idx, chunk := range X.Chunks() {
		path := filepath.Join(*dir, fmt.Sprintf("checkpoint-%d.bin", idx))
		Y[idx] = cairn.Delayed(sumBlock, cairn.Options{
			Checkpoint: func(ctx context.Context, t *cairn.Thunk, result cairn.Chunk) error {
				return cairn.SaveFile(ctx, path, result)
			},
			Restore: func(ctx context.Context, t *cairn.Thunk) (cairn.Chunk, error) {
				return cairn.LoadFile(ctx, path) // a missing file means "nothing to restore"
			},
		})(chunk)
	}

	var Z *cairn.Thunk
	var opts cairn.RunOptions
	if !*fixed {
		Z = cairn.Delayed(inner)(cairn.Args(Y)...)
	} else {
		Z = cairn.Delayed(innerFixed)(cairn.Args(Y)...)
		final := filepath.Join(*dir, "checkpoint-final.bin")
		opts = cairn.RunOptions{
			Checkpoint: func(ctx context.Context, result cairn.Chunk) error { return cairn.SaveFile(ctx, final, result) },
			Restore:    func(ctx context.Context) (cairn.Chunk, error) { return cairn.LoadFile(ctx, final) },
		}
	}
	var stats cairn.RunStats
	opts.Stats = &stats
	z, err := cairn.Collect[float64](ctx, s, Z, opts)
	fmt.Printf("computed %d, restored %d thunks in %v\n", stats.Computed, max(stats.Restored, boolInt(stats.FinalRestored)), stats.Duration)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("z =", z)
}

// runWithStore is the same computation with automatic checkpoints: no
// hooks and no file names, every thunk keyed by its function (and that
// function's code) and its inputs.
func runWithStore(ctx context.Context, url string, fixed bool) {
	store, err := checkpoint.Open(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	s := cairn.New(&cairn.Config{Checkpoints: store})
	defer s.Close()
	X, err := darray.Randn(darray.Blocks(128, 128), []int{1024, 1024}, darray.Seed(4))
	if err != nil {
		log.Fatal(err)
	}
	Y := make([]*cairn.Thunk, len(X.Chunks()))
	for idx, chunk := range X.Chunks() {
		Y[idx] = cairn.Delayed(sumBlock)(chunk)
	}
	Z := cairn.Delayed(inner)(cairn.Args(Y)...)
	if fixed {
		Z = cairn.Delayed(innerFixed)(cairn.Args(Y)...)
	}
	var stats cairn.RunStats
	z, err := cairn.Collect[float64](ctx, s, Z, cairn.RunOptions{Stats: &stats})
	fmt.Printf("computed %d, restored %d thunks in %v\n", stats.Computed, stats.Restored, stats.Duration)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("z =", z)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
