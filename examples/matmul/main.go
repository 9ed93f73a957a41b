// Command matmul multiplies two random matrices in blocks with darray and
// checks the product against gonum's.
//
//	go run ./examples/matmul -n 1024 -block 256
//
// Each output block is a thunk that multiplies and sums block pairs with
// gonum; the scheduler runs the blocks on every core. With -ckpt DIR the
// blocks are checkpointed in a directory, and a second run restores the
// product instead of computing it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"sync"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/all"
	"github.com/cairnlabs/cairn/darray"
	"gonum.org/v1/gonum/mat"
)

func main() {
	n := flag.Int("n", 1024, "matrix size (n×n)")
	block := flag.Int("block", 256, "block size (block×block)")
	ckpt := flag.String("ckpt", "", "checkpoint store URL, e.g. file:///tmp/matmul (default: none)")
	flag.Parse()
	if err := run(context.Background(), *n, *block, *ckpt); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, n, block int, ckpt string) error {
	cfg := &cairn.Config{}
	if ckpt != "" {
		store, err := checkpoint.Open(ctx, ckpt)
		if err != nil {
			return err
		}
		defer store.Close()
		cfg.Checkpoints = store
	}
	var stats cairn.RunStats // of the last run; listeners run on scheduler goroutines
	var mu sync.Mutex
	cfg.Listeners = []cairn.Listener{cairn.ListenerFunc(func(e cairn.Event) {
		if e.Kind == cairn.RunFinished {
			mu.Lock()
			stats = *e.Stats
			mu.Unlock()
		}
	})}
	s := cairn.New(cfg)
	defer s.Close()

	blocks := darray.Blocks(block, block)
	A, err := darray.Randn(blocks, []int{n, n}, darray.Seed(1))
	if err != nil {
		return err
	}
	B, err := darray.Randn(blocks, []int{n, n}, darray.Seed(2))
	if err != nil {
		return err
	}
	C, err := darray.MatMul(A, B)
	if err != nil {
		return err
	}
	start := time.Now()
	c, err := darray.CollectDense(ctx, s, C)
	if err != nil {
		return err
	}
	blocked := time.Since(start)
	mu.Lock()
	st := stats
	mu.Unlock()
	fmt.Printf("blocked C = A·B: %v, %d output blocks: %v (%d thunks computed, %d restored)\n",
		C, C.NumBlocks(), blocked.Round(time.Millisecond), st.Computed, st.Restored)

	a, err := darray.CollectDense(ctx, s, A)
	if err != nil {
		return err
	}
	b, err := darray.CollectDense(ctx, s, B)
	if err != nil {
		return err
	}
	start = time.Now()
	var want mat.Dense
	want.Mul(a, b)
	fmt.Printf("gonum Dense.Mul: %v\n", time.Since(start).Round(time.Millisecond))
	var d mat.Dense
	d.Sub(c, &want)
	fmt.Printf("max |C - A·B| = %.3g; trace(C) = %.6g\n", mat.Norm(&d, math.Inf(1)), mat.Trace(c))
	return nil
}
