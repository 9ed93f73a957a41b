package dash_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn"
)

// The seed example in small: blocks of random numbers (made by thunks, so
// that a second run can prune them), a sum per block with checkpoint and
// restore hooks, and inner, which fails on a negative total as the seed's
// sqrt does.

// holdBlock0, while set, keeps block 0 running until the channel is
// closed: a test that must see a running thunk in the page holds one
// instead of racing a run that may end before the page looks.
var holdBlock0 atomic.Pointer[chan struct{}]

// randBlock makes a block of n numbers with a negative mean, so that inner
// fails.
func randBlock(ctx context.Context, seed, n int, delay time.Duration) ([]float64, error) {
	if g := holdBlock0.Load(); g != nil && seed == 0 {
		select {
		case <-*g:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err := sleep(ctx, delay); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	b := make([]float64, n)
	for i := range b {
		b[i] = r.NormFloat64() - 0.05
	}
	return b, nil
}

func sumBlock(ctx context.Context, b []float64, delay time.Duration) (float64, error) {
	if err := sleep(ctx, delay); err != nil {
		return 0, err
	}
	s := 0.0
	for _, v := range b {
		s += v
	}
	return s, nil
}

// inner is the seed's bug: sqrt of a sum that may be negative.
func inner(xs ...float64) (float64, error) {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	if s < 0 {
		return 0, fmt.Errorf("DomainError: sqrt was called with a negative number (%.4g): try sqrt(abs(x))", s)
	}
	return math.Sqrt(s), nil
}

// innerFixed is the fix.
func innerFixed(xs ...float64) (float64, error) {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return math.Sqrt(math.Abs(s)), nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// seedWork holds the sums' checkpoints in memory, keyed by thunk name.
type seedWork struct {
	mu      sync.Mutex
	saved   map[string]any
	corrupt map[string]bool
	Y       []*cairn.Thunk
}

func newSeedWork(blocks, n int, blockDelay, sumDelay time.Duration) *seedWork {
	w := &seedWork{saved: map[string]any{}, corrupt: map[string]bool{}}
	for i := range blocks {
		x := cairn.Delayed(randBlock, cairn.Options{Name: fmt.Sprintf("block[%d]", i)})(i, n, blockDelay)
		w.Y = append(w.Y, cairn.Delayed(sumBlock, cairn.Options{
			Name:       fmt.Sprintf("sum[%d]", i),
			Checkpoint: w.checkpoint,
			Restore:    w.restore,
		})(x, sumDelay))
	}
	return w
}

func (w *seedWork) checkpoint(ctx context.Context, t *cairn.Thunk, c cairn.Chunk) error {
	v, err := c.Value(ctx)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.saved[t.Name()] = v
	return nil
}

func (w *seedWork) restore(ctx context.Context, t *cairn.Thunk) (cairn.Chunk, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.corrupt[t.Name()] {
		return nil, errors.New("checksum mismatch: the checkpoint is corrupt")
	}
	v, ok := w.saved[t.Name()]
	if !ok {
		return nil, nil // nothing saved: the thunk runs
	}
	return cairn.ToChunk(v), nil
}

// lose forgets the checkpoint of sum[i] and marks that of sum[j] corrupt,
// for each pair given.
func (w *seedWork) lose(missing, corrupt []int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, i := range missing {
		delete(w.saved, fmt.Sprintf("sum[%d]", i))
	}
	for _, i := range corrupt {
		w.corrupt[fmt.Sprintf("sum[%d]", i)] = true
	}
}
