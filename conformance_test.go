package cairn_test

// The executor conformance suite: the seed's story, the port of Dagger's
// test/checkpoint.jl, automatic checkpoints, failures, retries, events and
// spawn, run on every executor (main_test.go). Functions are registered
// and observe nothing but their arguments, so that they run alike in this
// process and in a worker; what ran is read from RunStats and events.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/exec"
)

func confSum(b []float64) float64 {
	s := 0.0
	for _, x := range b {
		s += x
	}
	return s
}

func confInnerBuggy(xs ...float64) (float64, error) {
	t := confSum(xs)
	if t < 0 {
		return 0, fmt.Errorf("DomainError: sqrt of negative total %g", t)
	}
	return math.Sqrt(t), nil
}

func confInnerFixed(xs ...float64) float64 { return math.Sqrt(math.Abs(confSum(xs))) }

func confGen(i, n int) []float64 {
	s := make([]float64, n)
	for j := range s {
		s[j] = float64(i) + float64(j)/float64(n)
	}
	return s
}

func confPanic(float64) float64 { panic("boom") }

func confNeg(x float64) float64 { return -x }

// confFlaky fails with a retryable error until it has been called more
// than failFirst times; calls are tallied in a file, across processes.
func confFlaky(dir string, failFirst int) (int, error) {
	n := tally(dir, "flaky")
	if n <= failFirst {
		return 0, cairn.Retryable(fmt.Errorf("transient failure %d", n))
	}
	return n, nil
}

func confSlow(ctx context.Context, ms int) (int, error) {
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return ms, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

var (
	confSumFn    = cairn.Register("conf.sum", confSum)
	confBuggyFn  = cairn.Register("conf.innerBuggy", confInnerBuggy)
	confFixedFn  = cairn.Register("conf.innerFixed", confInnerFixed)
	confGenFn    = cairn.Register("conf.gen", confGen)
	confPanicFn  = cairn.Register("conf.panic", confPanic)
	confNegFn    = cairn.Register("conf.neg", confNeg)
	confFlakyFn  = cairn.Register("conf.flaky", confFlaky)
	confSlowFn   = cairn.Register("conf.slow", confSlow)
	confTallyMux sync.Mutex
)

// tally appends a byte to dir/name and returns the file's new length: a
// call counter that works across processes of one machine.
func tally(dir, name string) int {
	confTallyMux.Lock()
	defer confTallyMux.Unlock()
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	f.Write([]byte{1})
	f.Close()
	b, _ := os.ReadFile(p)
	return len(b)
}

// negBlocks are the seed's blocks with every value negative, so that the
// buggy inner fails.
func negBlocks() [][]float64 {
	bs := blocks(7)
	for _, b := range bs {
		for j := range b {
			b[j] = -math.Abs(b[j])
		}
	}
	return bs
}

// TestConformanceSeedStory is the seed: sums checkpointed by hooks, inner
// fails; fixed, the sums are restored and only inner runs; with a final
// checkpoint, nothing runs. Hooks run in the driver, whatever the executor.
func TestConformanceSeedStory(t *testing.T) {
	eachExecutor(t, func(t *testing.T, ex exec.Executor, remote bool) {
		ctx := context.Background()
		s := newSched(t, &cairn.Config{Executor: ex, Logger: quietLog()})
		bs := negBlocks()
		var mu sync.Mutex
		saved := map[int]float64{}
		var final cairn.Chunk
		graph := func(inner *cairn.Func) *cairn.Thunk {
			ys := make([]*cairn.Thunk, len(bs))
			for i, b := range bs {
				ys[i] = cairn.Delayed(confSumFn, cairn.Options{
					Checkpoint: func(ctx context.Context, _ *cairn.Thunk, r cairn.Chunk) error {
						v, err := cairn.Value[float64](ctx, r)
						mu.Lock()
						saved[i] = v
						mu.Unlock()
						return err
					},
					Restore: func(context.Context, *cairn.Thunk) (cairn.Chunk, error) {
						mu.Lock()
						defer mu.Unlock()
						if v, ok := saved[i]; ok {
							return cairn.ToChunk(v), nil
						}
						return nil, cairn.ErrNoCheckpoint
					},
				})(b)
			}
			return cairn.Delayed(inner)(cairn.Args(ys)...)
		}
		var st cairn.RunStats
		_, err := cairn.Collect[float64](ctx, s, graph(confBuggyFn), cairn.RunOptions{Stats: &st})
		var fe *cairn.ThunkFailedError
		if !errors.As(err, &fe) || fe.Name != "conf.innerBuggy" || !strings.Contains(err.Error(), "DomainError") {
			t.Fatalf("run 1: %v", err)
		}
		if len(saved) != 64 || st.Computed != 64 || st.Failed != 1 || st.Checkpointed != 64 {
			t.Fatalf("run 1: %d saved, stats %+v", len(saved), st)
		}
		want := 0.0
		for _, b := range bs {
			want += confSum(b)
		}
		want = math.Sqrt(-want)
		opts := cairn.RunOptions{Stats: &st,
			Checkpoint: func(ctx context.Context, r cairn.Chunk) error { final = r; return nil },
			Restore: func(context.Context) (cairn.Chunk, error) {
				if final == nil {
					return nil, cairn.ErrNoCheckpoint
				}
				return final, nil
			}}
		got, err := cairn.Collect[float64](ctx, s, graph(confFixedFn), opts)
		if err != nil || math.Abs(got-want) > 1e-9*want {
			t.Fatalf("run 2: %v, %v; want %v", got, err, want)
		}
		if st.Restored != 64 || st.Computed != 1 || st.Pruned != 0 {
			t.Fatalf("run 2 stats %+v", st)
		}
		got, err = cairn.Collect[float64](ctx, s, graph(confFixedFn), opts)
		if err != nil || math.Abs(got-want) > 1e-9*want || !st.FinalRestored || st.Computed != 0 {
			t.Fatalf("run 3: %v, %v, stats %+v", got, err, st)
		}
	})
}

// TestConformanceAutomaticStore: every thunk checkpointed under its key;
// the second run restores the result; a changed input recomputes exactly
// what depends on it. With workers, the workers write and read the store.
func TestConformanceAutomaticStore(t *testing.T) {
	eachExecutor(t, func(t *testing.T, ex exec.Executor, remote bool) {
		ctx := context.Background()
		store := openStore(t, "file://"+t.TempDir())
		s := newSched(t, &cairn.Config{Executor: ex, Checkpoints: store, Logger: quietLog()})
		graph := func(inputs []int) *cairn.Thunk {
			ys := make([]*cairn.Thunk, len(inputs))
			for k, i := range inputs {
				ys[k] = cairn.Delayed(confSumFn)(cairn.Delayed(confGenFn)(i, 20000))
			}
			return cairn.Delayed(confFixedFn)(cairn.Args(ys)...)
		}
		var st cairn.RunStats
		in := []int{1, 2, 3, 4, 5, 6}
		first, err := cairn.Collect[float64](ctx, s, graph(in), cairn.RunOptions{Stats: &st})
		if err != nil || st.Computed != 13 || st.Checkpointed != 13 || st.CheckpointFailed != 0 {
			t.Fatalf("run 1: %v, stats %+v", err, st)
		}
		n := 0
		if err := store.List(ctx, "", func(checkpoint.Info) error { n++; return nil }); err != nil || n != 13 {
			t.Fatalf("%d entries in the store (%v), want 13", n, err)
		}
		again, err := cairn.Collect[float64](ctx, s, graph(in), cairn.RunOptions{Stats: &st})
		if err != nil || again != first || st.Restored != 1 || st.Computed != 0 || st.Pruned != 12 {
			t.Fatalf("run 2: %v (%v, want %v), stats %+v", err, again, first, st)
		}
		in[2] = 30
		_, err = cairn.Collect[float64](ctx, s, graph(in), cairn.RunOptions{Stats: &st})
		if err != nil || st.Computed != 3 || st.Restored != 5 {
			t.Fatalf("run 3 (one input changed): %v, stats %+v: want gen, sum and total computed, 5 sums restored", err, st)
		}
	})
}

// TestConformanceFailures: a panic fails its thunk and what depends on it,
// never the process; KeepGoing runs the independent rest.
func TestConformanceFailures(t *testing.T) {
	eachExecutor(t, func(t *testing.T, ex exec.Executor, remote bool) {
		ctx := context.Background()
		s := newSched(t, &cairn.Config{Executor: ex, Logger: quietLog()})
		bad := cairn.Delayed(confPanicFn, cairn.Options{Name: "bad"})(1.0)
		good := make([]*cairn.Thunk, 4)
		for i := range good {
			good[i] = cairn.Delayed(confNegFn)(float64(i))
		}
		z := cairn.Delayed(confFixedFn)(append(cairn.Args(good), cairn.Delayed(confNegFn)(bad))...)
		var st cairn.RunStats
		_, err := cairn.Collect[float64](ctx, s, z, cairn.RunOptions{KeepGoing: true, Stats: &st})
		var fe *cairn.ThunkFailedError
		if !errors.As(err, &fe) || fe.Name != "bad" || !strings.Contains(err.Error(), "panic: boom") {
			t.Fatalf("err %v", err)
		}
		if st.Computed != 4 || st.Failed != 1 || st.Skipped != 2 {
			t.Fatalf("stats %+v: want the 4 independent thunks computed, bad failed, its 2 dependents skipped", st)
		}
	})
}

// TestConformanceRetries: retryable errors are retried, across processes.
func TestConformanceRetries(t *testing.T) {
	eachExecutor(t, func(t *testing.T, ex exec.Executor, remote bool) {
		dir := t.TempDir()
		s := newSched(t, &cairn.Config{Executor: ex, Logger: quietLog()})
		f := cairn.Delayed(confFlakyFn, cairn.Options{Retries: 3, Backoff: time.Millisecond})(dir, 2)
		got, err := cairn.Collect[int](context.Background(), s, f)
		if err != nil || got != 3 {
			t.Fatalf("%v, %v", got, err)
		}
	})
}

// TestConformanceEvents: events name the slot and, with workers, the
// worker.
func TestConformanceEvents(t *testing.T) {
	eachExecutor(t, func(t *testing.T, ex exec.Executor, remote bool) {
		l := &logged{}
		s := newSched(t, &cairn.Config{Executor: ex, Logger: quietLog(), Listeners: []cairn.Listener{l}})
		ys := make([]*cairn.Thunk, 8)
		for i := range ys {
			ys[i] = cairn.Delayed(confNegFn)(float64(i))
		}
		if _, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(confFixedFn)(cairn.Args(ys)...)); err != nil {
			t.Fatal(err)
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		finished := 0
		for _, e := range l.events {
			if e.Kind != cairn.ThunkFinished {
				continue
			}
			finished++
			if e.Slot < 0 || e.Slot >= s.Parallelism() {
				t.Fatalf("slot %d of %d", e.Slot, s.Parallelism())
			}
			if remote != (e.Worker != "") {
				t.Fatalf("finished event's worker %q (remote %v)", e.Worker, remote)
			}
		}
		if finished != 9 {
			t.Fatalf("%d finished events", finished)
		}
	})
}

// TestConformanceSpawnAndCancel: a spawned thunk's value feeds later
// thunks; a cancelled run returns promptly.
func TestConformanceSpawnAndCancel(t *testing.T) {
	eachExecutor(t, func(t *testing.T, ex exec.Executor, remote bool) {
		ctx := context.Background()
		s := newSched(t, &cairn.Config{Executor: ex, Logger: quietLog()})
		a := cairn.Spawn(ctx, s, cairn.Delayed(confNegFn)(2.0))
		if v, err := cairn.Fetch[float64](ctx, a); err != nil || v != -2 {
			t.Fatalf("fetch %v, %v", v, err)
		}
		if v, err := cairn.Collect[float64](ctx, s, cairn.Delayed(confNegFn)(a)); err != nil || v != 2 {
			t.Fatalf("collect %v, %v", v, err)
		}
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := cairn.Compute(cctx, s, cairn.Delayed(confSlowFn)(5000))
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
			t.Fatalf("cancelled run: %v after %v", err, time.Since(start))
		}
	})
}
