package cairn_test

// A port of Dagger.jl's test/checkpoint.jl (scheduler- and thunk-level
// checkpoint and restore), then what Dagger never tested.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/exec"
)

// logged captures a scheduler's log lines and events.
type logged struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	events []cairn.Event
}

func (l *logged) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logged) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logged) OnEvent(e cairn.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *logged) count(k cairn.EventKind) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

func (l *logged) eventErr(k cairn.EventKind) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.events {
		if e.Kind == k {
			return e.Err
		}
	}
	return nil
}

func loggedSched(t *testing.T, ex exec.Executor) (*cairn.Scheduler, *logged) {
	l := &logged{}
	s := newSched(t, &cairn.Config{
		Executor:  ex,
		Logger:    slog.New(slog.NewTextHandler(l, nil)),
		Listeners: []cairn.Listener{l},
	})
	return s, l
}

// ckOne returns 1 and tallies its calls in dir: "it ran", seen from any
// process.
func ckOne(dir string) int {
	tally(dir, "one")
	return 1
}

func ckMul(x, y int) int { return x * y }

func ckGen(dir string, i int) []float64 {
	tally(dir, "gen")
	return []float64{float64(i), 1}
}

func ckSlowNeg(i int) float64 {
	return float64(-i)
}

var (
	ckOneFn     = cairn.Register("ck.one", ckOne)
	ckMulFn     = cairn.Register("ck.mul", ckMul)
	ckGenFn     = cairn.Register("ck.gen", ckGen)
	ckSumFn     = cairn.Register("ck.sum", sum)
	ckInnerFn   = cairn.Register("ck.inner", inner)
	ckFixedFn   = cairn.Register("ck.innerFixed", innerFixed)
	ckSlowNegFn = cairn.Register("ck.negate", ckSlowNeg)
)

// ran reports how many times a tallied function ran.
func ran(dir, name string) int {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	return len(b)
}

func TestSchedulerCheckpointing(t *testing.T) {
	eachExecutor(t, func(t *testing.T, ex exec.Executor, remote bool) {
		ctx := context.Background()
		s, _ := loggedSched(t, ex)
		dir := t.TempDir()
		a := cairn.Delayed(ckOneFn)(dir)
		var saved int
		got, err := cairn.Collect[int](ctx, s, a, cairn.RunOptions{
			Checkpoint: func(ctx context.Context, r cairn.Chunk) error {
				v, err := cairn.Value[int](ctx, r)
				saved = v
				return err
			},
		})
		if err != nil || got != 1 || ran(dir, "one") != 1 || saved != 1 {
			t.Fatalf("got %d, %v; ran %d times; checkpoint received %d", got, err, ran(dir, "one"), saved)
		}

		saved = 2
		var checkpointed bool
		got, err = cairn.Collect[int](ctx, s, a, cairn.RunOptions{
			Restore:    func(ctx context.Context) (cairn.Chunk, error) { return cairn.ToChunk(saved), nil },
			Checkpoint: func(context.Context, cairn.Chunk) error { checkpointed = true; return nil },
		})
		if err != nil || got != 2 {
			t.Fatalf("got %d, %v", got, err)
		}
		if ran(dir, "one") != 1 {
			t.Fatal("thunk ran although the final result was restored")
		}
		if checkpointed {
			t.Fatal("checkpoint regenerated after a restore")
		}

		t.Run("checkpoint failure", func(t *testing.T) {
			s, l := loggedSched(t, ex)
			dir := t.TempDir()
			var called atomic.Bool
			a := cairn.Delayed(ckOneFn)(dir)
			got, err := cairn.Collect[int](ctx, s, a, cairn.RunOptions{
				Checkpoint: func(context.Context, cairn.Chunk) error { called.Store(true); return errors.New("Test") },
			})
			if err != nil || got != 1 {
				t.Fatalf("got %d, %v: a failing checkpoint must not fail the run", got, err)
			}
			if ran(dir, "one") != 1 || !called.Load() {
				t.Fatal("thunk or checkpoint not executed")
			}
			if !strings.Contains(l.String(), "final result checkpoint failed") || !strings.Contains(l.String(), "Test") {
				t.Fatalf("log does not report the failure:\n%s", l)
			}
			if l.count(cairn.CheckpointFailed) != 1 {
				t.Fatal("no checkpoint-failed event")
			}
			// Required: the failure fails the call.
			_, err = cairn.Collect[int](ctx, s, a, cairn.RunOptions{CheckpointRequired: true,
				Checkpoint: func(context.Context, cairn.Chunk) error { return errors.New("Test") }})
			if err == nil {
				t.Fatal("a required checkpoint's failure was not returned")
			}
		})
		t.Run("restore failure", func(t *testing.T) {
			s, l := loggedSched(t, ex)
			dir := t.TempDir()
			var called atomic.Bool
			a := cairn.Delayed(ckOneFn)(dir)
			got, err := cairn.Collect[int](ctx, s, a, cairn.RunOptions{
				Restore: func(context.Context) (cairn.Chunk, error) { called.Store(true); return nil, errors.New("Test") },
			})
			if err != nil || got != 1 || ran(dir, "one") != 1 || !called.Load() {
				t.Fatalf("got %d, %v; ran %d; restore called %v", got, err, ran(dir, "one"), called.Load())
			}
			if log := l.String(); !strings.Contains(log, "final result restore failed") || !strings.Contains(log, "Test") {
				t.Fatalf("log does not report the failure and its message:\n%s", log)
			}
			if e := l.eventErr(cairn.RestoreFailed); e == nil || e.Error() != "Test" {
				t.Fatalf("restore-failed event error %v", e)
			}
		})
		t.Run("restore failure quiet", func(t *testing.T) {
			for name, restore := range map[string]func(context.Context) (cairn.Chunk, error){
				"nil chunk":       func(context.Context) (cairn.Chunk, error) { return nil, nil },
				"ErrNoCheckpoint": func(context.Context) (cairn.Chunk, error) { return nil, cairn.ErrNoCheckpoint },
				"fs.ErrNotExist":  func(context.Context) (cairn.Chunk, error) { return nil, fmt.Errorf("open x: %w", fs.ErrNotExist) },
			} {
				t.Run(name, func(t *testing.T) {
					s, l := loggedSched(t, ex)
					got, err := cairn.Collect[int](ctx, s, cairn.Delayed(ckOneFn)(t.TempDir()), cairn.RunOptions{Restore: restore})
					if err != nil || got != 1 {
						t.Fatalf("got %d, %v", got, err)
					}
					if strings.Contains(l.String(), "restore failed") || l.count(cairn.RestoreFailed) != 0 {
						t.Fatalf("a missing checkpoint was reported:\n%s", l)
					}
				})
			}
		})
	})
}

func TestThunkCheckpointing(t *testing.T) {
	eachExecutor(t, func(t *testing.T, ex exec.Executor, remote bool) {
		ctx := context.Background()
		s, _ := loggedSched(t, ex)
		dir := t.TempDir()
		var saved atomic.Int64
		var otherCheckpointed atomic.Bool
		opts := cairn.Options{Name: "a", Checkpoint: func(ctx context.Context, th *cairn.Thunk, r cairn.Chunk) error {
			if th.Name() != "a" {
				otherCheckpointed.Store(true)
			}
			v, err := cairn.Value[int](ctx, r)
			saved.Store(int64(v))
			return err
		}}
		a := cairn.Delayed(ckOneFn, opts)(dir)
		b := cairn.Delayed(ckMulFn)(a, 2)
		got, err := cairn.Collect[int](ctx, s, b)
		if err != nil || got != 2 || ran(dir, "one") != 1 || saved.Load() != 1 || otherCheckpointed.Load() {
			t.Fatalf("got %d, %v; ran %d; saved %d", got, err, ran(dir, "one"), saved.Load())
		}

		saved.Store(2)
		var restoredOther, checkpointed atomic.Bool
		ropts := cairn.Options{Name: "a",
			Restore: func(ctx context.Context, th *cairn.Thunk) (cairn.Chunk, error) {
				if th.Name() != "a" {
					restoredOther.Store(true)
				}
				return cairn.ToChunk(int(saved.Load())), nil
			},
			Checkpoint: func(context.Context, *cairn.Thunk, cairn.Chunk) error { checkpointed.Store(true); return nil },
		}
		a = cairn.Delayed(ckOneFn, ropts)(dir)
		b = cairn.Delayed(ckMulFn)(a, 2)
		got, err = cairn.Collect[int](ctx, s, b)
		if err != nil || got != 4 {
			t.Fatalf("got %d, %v: b must run on a's restored value", got, err)
		}
		if ran(dir, "one") != 1 || checkpointed.Load() || restoredOther.Load() {
			t.Fatalf("a ran %d times; checkpoint regenerated %v; restore asked of b %v", ran(dir, "one"), checkpointed.Load(), restoredOther.Load())
		}

		t.Run("checkpoint failure", func(t *testing.T) {
			s, l := loggedSched(t, ex)
			dir := t.TempDir()
			var called atomic.Bool
			a := cairn.Delayed(ckOneFn, cairn.Options{Name: "a",
				Checkpoint: func(context.Context, *cairn.Thunk, cairn.Chunk) error { called.Store(true); return errors.New("Test") }})(dir)
			got, err := cairn.Collect[int](ctx, s, a)
			if err != nil || got != 1 || ran(dir, "one") != 1 || !called.Load() {
				t.Fatalf("got %d, %v; ran %d; checkpoint called %v", got, err, ran(dir, "one"), called.Load())
			}
			if log := l.String(); !strings.Contains(log, "checkpoint failed") || !strings.Contains(log, "thunk=a") {
				t.Fatalf("log does not report the failure with the thunk's name:\n%s", log)
			}
			if e := l.eventErr(cairn.CheckpointFailed); e == nil || e.Error() != "Test" {
				t.Fatalf("checkpoint-failed event error %v", e)
			}
			// Required: the thunk fails.
			a = cairn.Delayed(ckOneFn, cairn.Options{CheckpointRequired: true,
				Checkpoint: func(context.Context, *cairn.Thunk, cairn.Chunk) error { return errors.New("disk full") }})(dir)
			var fe *cairn.ThunkFailedError
			if _, err := cairn.Compute(ctx, s, a); !errors.As(err, &fe) || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("required checkpoint failure: %v", err)
			}
		})
		t.Run("restore failure", func(t *testing.T) {
			s, l := loggedSched(t, ex)
			dir := t.TempDir()
			var called atomic.Bool
			a := cairn.Delayed(ckOneFn, cairn.Options{Name: "a",
				Restore: func(context.Context, *cairn.Thunk) (cairn.Chunk, error) {
					called.Store(true)
					return nil, errors.New("Test")
				}})(dir)
			got, err := cairn.Collect[int](ctx, s, a)
			if err != nil || got != 1 || ran(dir, "one") != 1 || !called.Load() {
				t.Fatalf("got %d, %v; ran %d; restore called %v", got, err, ran(dir, "one"), called.Load())
			}
			if log := l.String(); !strings.Contains(log, "restore failed") || !strings.Contains(log, "Test") || !strings.Contains(log, "thunk=a") {
				t.Fatalf("log does not report the failure:\n%s", log)
			}
			if l.count(cairn.RestoreFailed) != 1 {
				t.Fatal("no restore-failed event")
			}
		})
		t.Run("restore failure quiet", func(t *testing.T) {
			s, l := loggedSched(t, ex)
			a := cairn.Delayed(ckOneFn, cairn.Options{
				Restore: func(context.Context, *cairn.Thunk) (cairn.Chunk, error) { return nil, nil }})(t.TempDir())
			if got, err := cairn.Collect[int](ctx, s, a); err != nil || got != 1 {
				t.Fatalf("got %d, %v", got, err)
			}
			if strings.Contains(l.String(), "restore failed") || l.count(cairn.RestoreFailed) != 0 || l.count(cairn.RestoreMissed) != 1 {
				t.Fatalf("a missing checkpoint was reported:\n%s", l)
			}
		})
		t.Run("restore panics", func(t *testing.T) {
			s, l := loggedSched(t, ex)
			a := cairn.Delayed(ckOneFn, cairn.Options{
				Restore: func(context.Context, *cairn.Thunk) (cairn.Chunk, error) { panic("corrupt state") }})(t.TempDir())
			if got, err := cairn.Collect[int](ctx, s, a); err != nil || got != 1 {
				t.Fatalf("got %d, %v", got, err)
			}
			if l.count(cairn.RestoreFailed) != 1 {
				t.Fatal("a panicking restore was not reported")
			}
		})
	})
}

// Restore on a downstream thunk prunes the work upstream of it: Dagger
// would still run it.
func TestRestorePrunesUpstream(t *testing.T) {
	eachExecutor(t, func(t *testing.T, ex exec.Executor, remote bool) {
		ctx := context.Background()
		s, l := loggedSched(t, ex)
		dir := t.TempDir()
		var restoresAsked atomic.Int32
		ys := make([]*cairn.Thunk, 8)
		for i := range ys {
			x := cairn.Delayed(ckGenFn)(dir, i)
			ys[i] = cairn.Delayed(ckSumFn, cairn.Options{
				Restore: func(context.Context, *cairn.Thunk) (cairn.Chunk, error) {
					restoresAsked.Add(1)
					return cairn.ToChunk(float64(i + 1)), nil
				},
			})(x)
		}
		got, err := cairn.Collect[float64](ctx, s, cairn.Delayed(ckFixedFn)(cairn.Args(ys)...))
		if err != nil {
			t.Fatal(err)
		}
		if n := ran(dir, "gen"); n != 0 {
			t.Fatalf("%d upstream generators ran although every consumer was restored", n)
		}
		if restoresAsked.Load() != 8 || l.count(cairn.ThunkPruned) != 8 {
			t.Fatalf("restores %d, pruned events %d", restoresAsked.Load(), l.count(cairn.ThunkPruned))
		}
		if want := 6.0; got != want { // sqrt(1+...+8) = sqrt(36)
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

// An errored thunk is never checkpointed; thunks that finished before a
// failure all have their checkpoints when Collect returns.
func TestFailedRunKeepsFinishedCheckpoints(t *testing.T) {
	eachExecutor(t, func(t *testing.T, ex exec.Executor, remote bool) {
		ctx := context.Background()
		s, _ := loggedSched(t, ex)
		var mu sync.Mutex
		saved := map[string]float64{}
		ckpt := func(ctx context.Context, th *cairn.Thunk, r cairn.Chunk) error {
			time.Sleep(5 * time.Millisecond) // slow storage: Collect must wait for it
			v, err := cairn.Value[float64](ctx, r)
			mu.Lock()
			saved[th.Name()] = v
			mu.Unlock()
			return err
		}
		ys := make([]*cairn.Thunk, 16)
		for i := range ys {
			ys[i] = cairn.Delayed(ckSlowNegFn, cairn.Options{Name: fmt.Sprintf("y%d", i), Checkpoint: ckpt})(i)
		}
		z := cairn.Delayed(ckInnerFn, cairn.Options{Name: "inner", Checkpoint: ckpt})(cairn.Args(ys)...)
		_, err := cairn.Collect[float64](ctx, s, z)
		var fe *cairn.ThunkFailedError
		if !errors.As(err, &fe) || fe.Name != "inner" || !strings.Contains(err.Error(), "sqrt of negative sum") {
			t.Fatalf("err %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if _, ok := saved["inner"]; ok {
			t.Fatal("the failed thunk was checkpointed")
		}
		if len(saved) != 16 {
			t.Fatalf("%d of 16 finished thunks checkpointed when Collect returned", len(saved))
		}
	})
}

// The final result's restore is reported inside its run (after
// RunStarted), and a written final checkpoint is counted.
func TestFinalEventsInRun(t *testing.T) {
	ctx := context.Background()
	s, l := loggedSched(t, nil)
	var saved cairn.Chunk
	opts := cairn.RunOptions{
		Checkpoint: func(_ context.Context, r cairn.Chunk) error { saved = r; return nil },
		Restore: func(context.Context) (cairn.Chunk, error) {
			if saved == nil {
				return nil, errors.New("unreadable")
			}
			return saved, nil
		},
	}
	var st cairn.RunStats
	opts.Stats = &st
	if _, err := cairn.Collect[int](ctx, s, cairn.Delayed(ckOneFn)(t.TempDir()), opts); err != nil || !st.FinalCheckpointed {
		t.Fatalf("run 1: %v, stats %+v", err, st)
	}
	if _, err := cairn.Collect[int](ctx, s, cairn.Delayed(ckOneFn)(t.TempDir()), opts); err != nil || !st.FinalRestored || st.FinalCheckpointed {
		t.Fatalf("run 2: %v, stats %+v", err, st)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var kinds []cairn.EventKind
	for _, e := range l.events {
		if e.Thunk == nil {
			kinds = append(kinds, e.Kind)
		}
	}
	// Run 1: started, the failed restore, the checkpoint, finished; run 2:
	// started, restored, finished.
	want := []cairn.EventKind{cairn.RunStarted, cairn.RestoreFailed, cairn.ThunkCheckpointed, cairn.RunFinished,
		cairn.RunStarted, cairn.ThunkRestored, cairn.RunFinished}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Fatalf("run events %v, want %v", kinds, want)
	}
}
