// Regression tests from a review of the core: each failed before its fix.
package cairn_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Regression 1: Register of a closure hijacks every other closure of the same literal.
//
//go:noinline
func adder(n int) func(int) int { return func(x int) int { return x + n } }

var add1 = cairn.Register("review.add1", adder(1))

func TestRegressionClosureRegistryHijack(t *testing.T) {
	_ = add1
	s := cairn.New(&cairn.Config{Logger: quietLog()})
	defer s.Close()
	got, err := cairn.Collect[int](context.Background(), s, cairn.Delayed(adder(100))(1))
	if err != nil {
		t.Fatal(err)
	}
	if got != 101 {
		t.Fatalf("Delayed(adder(100))(1) = %d, want 101: the registered closure adder(1) ran instead", got)
	}
}

// Regression 2: generic instantiations share one runtime name, so one key.
func Parse[T int | float64](s string) T {
	f, _ := strconv.ParseFloat(s, 64)
	var z T
	switch any(z).(type) {
	case int:
		return T(int(f) * 1000)
	}
	return T(f)
}

type Doubler struct{}
type Tripler struct{}

func (Doubler) Scale(x float64) float64 { return 2 * x }
func (Tripler) Scale(x float64) float64 { return 3 * x }

func Scale[S interface{ Scale(float64) float64 }](x float64) float64 { var s S; return s.Scale(x) }

func TestRegressionGenericKeyCollision(t *testing.T) {
	a := cairn.Delayed(Scale[Doubler])(5.0)
	b := cairn.Delayed(Scale[Tripler])(5.0)
	ka, ea := a.Key()
	kb, eb := b.Key()
	t.Logf("names %q %q keys %q %v / %q %v", a.Func().Name(), b.Func().Name(), ka, ea, kb, eb)
	if ea == nil && eb == nil && ka == kb {
		// Show the wrong answer end to end with a real store.
		st := openStore(t, "file://"+t.TempDir())
		s := cairn.New(&cairn.Config{Checkpoints: st, Logger: quietLog()})
		defer s.Close()
		va, _ := cairn.Collect[float64](context.Background(), s, a)
		vb, _ := cairn.Collect[float64](context.Background(), s, b)
		t.Fatalf("Scale[Doubler](5) and Scale[Tripler](5) share key %s; collected %v and %v (want 10 and 15)", ka, va, vb)
	}
}

// Regression 3: Close returns while a run's restores are still running (goroutine
// leak; the user's Restore hook and the store are used after Close).
func TestRegressionCloseLeavesRestoresRunning(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	var after atomic.Bool
	var closed atomic.Bool
	th := cairn.Delayed(func(x int) int { return x }, cairn.Options{
		Restore: func(ctx context.Context, _ *cairn.Thunk) (cairn.Chunk, error) {
			close(entered)
			<-release
			if closed.Load() {
				after.Store(true)
			}
			return nil, cairn.ErrNoCheckpoint
		},
	})(1)
	s := cairn.New(&cairn.Config{Logger: quietLog()})
	errc := make(chan error, 1)
	go func() { _, err := cairn.Compute(context.Background(), s, th); errc <- err }()
	<-entered
	done := make(chan struct{})
	go func() { s.Close(); closed.Store(true); close(done) }()
	select {
	case <-done:
		t.Logf("Close returned while the Restore hook is still running; compute err=%v", <-errc)
		close(release)
		time.Sleep(50 * time.Millisecond)
		if after.Load() {
			t.Fatal("user Restore hook ran on after Scheduler.Close returned")
		}
	case <-time.After(300 * time.Millisecond): // Close waits for the hook: right
		close(release)
		<-done
	}
}

// Regression 5: a Chunk argument whose Value panics crashes the process (the panic
// is outside Task.Call's recover).
type panicChunk struct{}

func (panicChunk) Value(context.Context) (any, error) { panic("boom") }

func TestRegressionChunkValuePanic(t *testing.T) {
	s := cairn.New(&cairn.Config{Logger: quietLog()})
	defer s.Close()
	th := cairn.Delayed(func(x int) int { return x })(panicChunk{})
	_, err := cairn.Compute(context.Background(), s, th)
	var pe *cairn.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err %v, want a *PanicError", err)
	}
}

func revInc(x float64) float64 { return x + 1 }

// Regression 6: a spawned thunk's key is computed before its inputs' keys when a
// consumer's run compiles it as a leaf; the error is cached for good, and
// nothing downstream of it is ever checkpointed.
func TestRegressionSpawnPoisonsKeys(t *testing.T) {
	ctx := context.Background()
	plain := cairn.New(&cairn.Config{Logger: quietLog()})
	defer plain.Close()
	st := openStore(t, "file://"+t.TempDir())
	s := cairn.New(&cairn.Config{Checkpoints: st, Logger: quietLog()})
	defer s.Close()

	a := cairn.Delayed(revInc)(1.0)
	b := cairn.Spawn(ctx, plain, cairn.Delayed(revInc)(a)) // spawned elsewhere
	c := cairn.Delayed(revInc)(b)
	var stats cairn.RunStats
	v, err := cairn.Collect[float64](ctx, s, c, cairn.RunOptions{Stats: &stats})
	if err != nil || v != 4 {
		t.Fatal(v, err)
	}
	_, kerr := b.Key()
	_, cerr := c.Key()
	fresh := cairn.Delayed(revInc)(cairn.Delayed(revInc)(cairn.Delayed(revInc)(1.0)))
	_, ferr := fresh.Key()
	t.Logf("b.Key err=%v\nc.Key err=%v\nsame graph unspawned: err=%v; checkpointed=%d", kerr, cerr, ferr, stats.Checkpointed)
	if kerr != nil || stats.Checkpointed == 0 {
		t.Fatalf("spawned thunk's key poisoned: %v; consumer checkpointed %d times", kerr, stats.Checkpointed)
	}
}

func TestRegressionSpawnPoisonsKeysSameScheduler(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "file://"+t.TempDir())
	s := cairn.New(&cairn.Config{Checkpoints: st, Logger: quietLog()})
	defer s.Close()
	bad := 0
	for k := 0; k < 50; k++ {
		a := cairn.Delayed(revInc)(float64(k))
		b := cairn.Spawn(ctx, s, cairn.Delayed(revInc)(a))
		c := cairn.Delayed(revInc)(b)
		if _, err := cairn.Collect[float64](ctx, s, c); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Key(); err != nil {
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%d/50 runs: consumer of a thunk spawned on the same scheduler lost its key", bad)
	}
}

// Regression 7: after a fail-fast failure the run waits out another thunk's retry
// backoff (up to a minute) before Collect returns, though nothing runs.
func TestRegressionFailFastWaitsOutBackoff(t *testing.T) {
	s := cairn.New(&cairn.Config{Parallelism: 2, Logger: quietLog()})
	defer s.Close()
	var n atomic.Int32
	flaky := cairn.Delayed(func() (int, error) {
		n.Add(1)
		return 0, cairn.Retryable(errors.New("transient"))
	}, cairn.Options{Retries: 3, Backoff: 3 * time.Second})()
	bad := cairn.Delayed(func() (int, error) {
		time.Sleep(20 * time.Millisecond)
		return 0, errors.New("permanent")
	})()
	sum := cairn.Delayed(func(a, b int) int { return a + b })(flaky, bad)
	start := time.Now()
	_, err := cairn.Collect[int](context.Background(), s, sum)
	took := time.Since(start)
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) {
		t.Fatal(err)
	}
	if took > time.Second {
		t.Fatalf("Collect returned the failure of %q after %v: it waited out a retry backoff (attempts %d)", fe.Name, took, n.Load())
	}
}

// Regression 8: a zero Thunk crashes the process instead of giving an error.
func TestRegressionZeroThunk(t *testing.T) {
	s := cairn.New(&cairn.Config{Logger: quietLog()})
	defer s.Close()
	_, err := cairn.Compute(context.Background(), s, new(cairn.Thunk))
	var be *cairn.BuildError
	if !errors.As(err, &be) {
		t.Fatalf("err %v, want a *BuildError", err)
	}
}

func revSq(x float64) float64 { time.Sleep(50 * time.Microsecond); return x * x }
func revSum(xs ...float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// Stress: Close or cancel racing runs with restores, checkpoints, spawns.
func TestRegressionRootStress(t *testing.T) {
	st := openStore(t, "file://"+t.TempDir())
	for it := 0; it < 60; it++ {
		s := cairn.New(&cairn.Config{Checkpoints: st, Parallelism: 2, Logger: quietLog(), RestoreConcurrency: 2, CheckpointConcurrency: 1})
		ctx, cancel := context.WithCancel(context.Background())
		var ys []*cairn.Thunk
		for k := 0; k < 20; k++ {
			y := cairn.Delayed(revSq, cairn.Options{Checkpoint: func(ctx context.Context, _ *cairn.Thunk, c cairn.Chunk) error {
				_, err := c.Value(ctx)
				return err
			}})(float64((k + it) % 25))
			if k%7 == 0 {
				y = cairn.Spawn(ctx, s, y)
			}
			ys = append(ys, y)
		}
		z := cairn.Delayed(revSum)(cairn.Args(ys)...)
		done := make(chan error, 2)
		go func() { _, err := cairn.Compute(ctx, s, z); done <- err }()
		go func() { _, err := cairn.Compute(ctx, s, cairn.Delayed(revSum)(cairn.Args(ys[5:])...)); done <- err }()
		time.Sleep(time.Duration(it%5) * 300 * time.Microsecond)
		switch it % 3 {
		case 0:
			cancel()
		case 1:
			s.Close()
		}
		for k := 0; k < 2; k++ {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("iter %d: hang", it)
			}
		}
		s.Close()
		cancel()
	}
}

// Regression 9: a restored chunk of the wrong type is taken as the result; the
// consumer then fails the run (nothing recomputes it).
func TestRegressionWrongTypeRestore(t *testing.T) {
	s := cairn.New(&cairn.Config{Logger: quietLog()})
	defer s.Close()
	y := cairn.Delayed(revSq, cairn.Options{Restore: func(context.Context, *cairn.Thunk) (cairn.Chunk, error) {
		return cairn.ToChunk(float32(4)), nil // e.g. an old checkpoint format
	}})(2.0)
	z := cairn.Delayed(revSum)(y)
	v, err := cairn.Collect[float64](context.Background(), s, z)
	if err != nil {
		t.Fatalf("restored value of the wrong type failed the run instead of being reported and recomputed: %v", err)
	}
	if v != 4 {
		t.Fatalf("got %v, want 4 (recomputed 2*2)", v)
	}
}

func rvA(x float64) float64    { return x + 1 }
func rvB(x float64) float64    { return x * 2 }
func rvC(a, b float64) float64 { time.Sleep(30 * time.Millisecond); return a + b }

// Close racing the end of a run that restored something: compute's
// s.ckptWG.Add(1) for FlushReads races Close's s.ckptWG.Wait().
func TestRegressionCloseVsFlushReads(t *testing.T) {
	st := openStore(t, "file://"+t.TempDir())
	q := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	s0 := cairn.New(&cairn.Config{Checkpoints: st, Logger: q})
	if _, err := cairn.Compute(ctx, s0, cairn.Delayed(rvA)(1.0)); err != nil {
		t.Fatal(err)
	}
	s0.Close()
	for it := 0; it < 20; it++ {
		s := cairn.New(&cairn.Config{Checkpoints: st, Logger: q})
		a := cairn.Delayed(rvA)(1.0) // restored
		b := cairn.Delayed(rvB, cairn.Options{Checkpoint: func(context.Context, *cairn.Thunk, cairn.Chunk) error {
			time.Sleep(60 * time.Millisecond)
			return nil
		}})(float64(100 + it))
		c := cairn.Delayed(rvC)(a, b)
		done := make(chan error)
		go func() { _, err := cairn.Compute(ctx, s, c); done <- err }()
		time.Sleep(10 * time.Millisecond) // c is running, b's checkpoint pending
		s.Close()
		<-done
	}
}
