package cairn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
)

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func inner(xs ...float64) (float64, error) {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	if s < 0 {
		return 0, fmt.Errorf("sqrt of negative sum %g", s)
	}
	return math.Sqrt(s), nil
}

func innerFixed(xs ...float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return math.Sqrt(math.Abs(s))
}

func newSched(t testing.TB, cfg *cairn.Config) *cairn.Scheduler {
	t.Helper()
	s := cairn.New(cfg)
	t.Cleanup(func() { s.Close() })
	return s
}

// blocks returns 64 blocks of 128*128 standard normals, as the seed does.
func blocks(seed uint64) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 0))
	out := make([][]float64, 64)
	for i := range out {
		out[i] = make([]float64, 128*128)
		for j := range out[i] {
			out[i][j] = r.NormFloat64()
		}
	}
	return out
}

// TestSeedShape runs the seed's graph — 64 independent sums into one
// variadic function — and compares it with a plain loop.
func TestSeedShape(t *testing.T) {
	ctx := context.Background()
	s := newSched(t, nil)
	X := blocks(1)
	Y := make([]any, len(X))
	want := 0.0
	for i, b := range X {
		Y[i] = cairn.Delayed(sum)(b)
		want += sum(b)
	}
	want = math.Sqrt(math.Abs(want))
	got, err := cairn.Collect[float64](ctx, s, cairn.Delayed(innerFixed)(Y...))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestArgumentForms(t *testing.T) {
	ctx := context.Background()
	s := newSched(t, nil)
	withCtx := func(ctx context.Context, a, b int) (int, error) { return a * b, ctx.Err() }
	onlyErr := func() error { return nil }
	a := cairn.Delayed(func() int { return 6 })()
	b := cairn.Delayed(withCtx)(a, 7)                // thunk and literal, ctx first
	c := cairn.Delayed(withCtx)(cairn.ToChunk(2), b) // chunk argument
	variadicMixed := cairn.Delayed(func(p string, xs ...int) string {
		return fmt.Sprint(p, xs)
	})("v", a, 1, c)
	got, err := cairn.Collect[string](ctx, s, variadicMixed)
	if err != nil {
		t.Fatal(err)
	}
	if got != "v[6 1 84]" {
		t.Fatalf("got %q", got)
	}
	// A variadic call with no variadic arguments.
	none, err := cairn.Collect[string](ctx, s, cairn.Delayed(func(p string, xs ...int) string { return fmt.Sprint(p, len(xs)) })("n"))
	if err != nil || none != "n0" {
		t.Fatalf("got %q, %v", none, err)
	}
	// Interfaces and nil.
	var nilErr error
	isNil, err := cairn.Collect[bool](ctx, s, cairn.Delayed(func(e error) bool { return e == nil })(nilErr))
	if err != nil || !isNil {
		t.Fatalf("got %v, %v", isNil, err)
	}
	// Only an error: Compute works, the value is nil.
	ch, err := cairn.Compute(ctx, s, cairn.Delayed(onlyErr)())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := ch.Value(ctx); v != nil {
		t.Fatalf("value %v", v)
	}
	// Same thunk used twice as argument.
	dup, err := cairn.Collect[int](ctx, s, cairn.Delayed(func(x, y int) int { return x + y })(a, a))
	if err != nil || dup != 12 {
		t.Fatalf("got %d, %v", dup, err)
	}
}

var doubleFn = cairn.Register("test.double", func(x int) int { return 2 * x }, cairn.Version("3"))

func TestRegisteredFunc(t *testing.T) {
	f := doubleFn
	if f.Name() != "test.double" || f.Version() != "3" || !f.Registered() {
		t.Fatalf("func %q %q", f.Name(), f.Version())
	}
	if g, ok := cairn.Lookup("test.double"); !ok || g != f {
		t.Fatal("Lookup did not find the registration")
	}
	got, err := cairn.Collect[int](context.Background(), newSched(t, nil), cairn.Delayed(f)(21))
	if err != nil || got != 42 {
		t.Fatalf("got %d, %v", got, err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate Register did not panic")
		}
	}()
	cairn.Register("test.double", func() {})
}

func TestBuildErrors(t *testing.T) {
	ctx := context.Background()
	s := newSched(t, nil)
	two := func(a, b int) int { return a + b }
	str := cairn.Delayed(func() string { return "x" })()
	errOnly := cairn.Delayed(func() error { return nil })()
	cases := []struct {
		name string
		th   *cairn.Thunk
		want string
	}{
		{"too few", cairn.Delayed(two)(1), "takes 2 arguments, got 1"},
		{"too many", cairn.Delayed(two)(1, 2, 3), "takes 2 arguments, got 3"},
		{"literal type", cairn.Delayed(two)(1, "2"), "argument 2: a string given, the function wants an int"},
		{"thunk type", cairn.Delayed(two)(1, str), "gives a string, the function wants an int"},
		{"nil for int", cairn.Delayed(two)(1, nil), "nil given"},
		{"no value", cairn.Delayed(two)(1, errOnly), "returns no value"},
		{"variadic elem", cairn.Delayed(inner)(1.0, "x"), "argument 2: a string given"},
		{"not a func", cairn.Delayed(42)(), "not a function"},
		{"bad results", cairn.Delayed(func() (int, int) { return 1, 2 })(), "second must be error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cairn.Compute(ctx, s, tc.th)
			var be *cairn.BuildError
			if !errors.As(err, &be) {
				t.Fatalf("err %v, want a *BuildError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %q does not say %q", err, tc.want)
			}
			if !strings.Contains(be.CallSite, "cairn_test.go:") {
				t.Fatalf("call site %q does not name this file", be.CallSite)
			}
			// Used downstream, the same error surfaces.
			_, err = cairn.Compute(ctx, s, cairn.Delayed(func(x any) any { return x })(tc.th))
			if !errors.As(err, &be) {
				t.Fatalf("downstream err %v", err)
			}
		})
	}
}

func TestRunTimeArgTypeIsAnError(t *testing.T) {
	// A chunk's type is known only when it runs: a mismatch fails the
	// thunk, it does not panic.
	_, err := cairn.Compute(context.Background(), newSched(t, nil),
		cairn.Delayed(func(x int) int { return x })(cairn.ToChunk("not an int")))
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "argument 1 is a string, the function wants an int") {
		t.Fatalf("err %v", err)
	}
}

func TestFailurePropagation(t *testing.T) {
	ctx := context.Background()
	s := newSched(t, &cairn.Config{Parallelism: 2})
	boom := errors.New("boom")
	var downstream, independent atomic.Int32
	bad := cairn.Delayed(func() (int, error) { return 0, boom }, cairn.Options{Name: "bad"})()
	dep := cairn.Delayed(func(x int) int { downstream.Add(1); return x })(bad)
	slow := cairn.Delayed(func() int { time.Sleep(30 * time.Millisecond); independent.Add(1); return 1 })()
	top := cairn.Delayed(func(a, b int) int { downstream.Add(1); return a + b })(dep, slow)
	_, err := cairn.Compute(ctx, s, top)
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) {
		t.Fatalf("err %v, want *ThunkFailedError", err)
	}
	if fe.Name != "bad" || !errors.Is(err, boom) || fe.Thunk != bad {
		t.Fatalf("failed thunk %q, cause %v", fe.Name, fe.Err)
	}
	if downstream.Load() != 0 {
		t.Fatal("a dependent of the failed thunk ran")
	}
	if independent.Load() != 1 {
		t.Fatal("independent work already running did not finish")
	}
}

func TestPanicBecomesError(t *testing.T) {
	_, err := cairn.Compute(context.Background(), newSched(t, nil),
		cairn.Delayed(func() int { var m map[string]int; m["x"] = 1; return 0 }, cairn.Options{Name: "panicky"})())
	var fe *cairn.ThunkFailedError
	var pe *cairn.PanicError
	if !errors.As(err, &fe) || !errors.As(err, &pe) {
		t.Fatalf("err %v", err)
	}
	if fe.Name != "panicky" || !strings.Contains(string(pe.Stack), "cairn_test.go") {
		t.Fatalf("name %q, stack:\n%s", fe.Name, pe.Stack)
	}
	var re runtime.Error
	if !errors.As(err, &re) {
		t.Fatal("the runtime error is not reachable with errors.As")
	}
}

func TestCancellationIsPromptAndLeaksNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	s := cairn.New(&cairn.Config{Parallelism: 2})
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int32
	leaves := make([]any, 100)
	for i := range leaves {
		leaves[i] = cairn.Delayed(func(ctx context.Context) (int, error) {
			started.Add(1)
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(10 * time.Second):
				return 1, nil
			}
		})()
	}
	top := cairn.Delayed(func(xs ...int) int { return len(xs) })(leaves...)
	time.AfterFunc(20*time.Millisecond, cancel)
	t0 := time.Now()
	_, err := cairn.Compute(ctx, s, top)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if d := time.Since(t0); d > 3*time.Second {
		t.Fatalf("cancel took %v", d)
	}
	if n := started.Load(); n > 2 {
		t.Fatalf("%d leaves started on 2 slots", n)
	}
	s.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestRetries(t *testing.T) {
	var calls atomic.Int32
	flaky := func() (int, error) {
		if calls.Add(1) < 3 {
			return 0, cairn.Retryable(errors.New("transient"))
		}
		return 7, nil
	}
	got, err := cairn.Collect[int](context.Background(), newSched(t, nil),
		cairn.Delayed(flaky, cairn.Options{Retries: 3, Backoff: time.Millisecond})())
	if err != nil || got != 7 || calls.Load() != 3 {
		t.Fatalf("got %d, %v after %d calls", got, err, calls.Load())
	}
	// Not retryable: fails at once, whatever Retries says.
	calls.Store(0)
	_, err = cairn.Compute(context.Background(), newSched(t, nil),
		cairn.Delayed(func() (int, error) { calls.Add(1); return 0, errors.New("fatal") }, cairn.Options{Retries: 3})())
	if err == nil || calls.Load() != 1 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
	// Retries exhausted.
	calls.Store(0)
	_, err = cairn.Compute(context.Background(), newSched(t, nil),
		cairn.Delayed(func() (int, error) { calls.Add(1); return 0, cairn.Retryable(errors.New("again")) },
			cairn.Options{Retries: 2, Backoff: time.Millisecond})())
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) || fe.Attempts != 3 || calls.Load() != 3 {
		t.Fatalf("err %v, calls %d", err, calls.Load())
	}
}

func TestSpawn(t *testing.T) {
	ctx := context.Background()
	s := newSched(t, nil)
	var calls atomic.Int32
	h := cairn.Spawn(ctx, s, cairn.Delayed(func() int { calls.Add(1); return 20 })())
	got, err := cairn.Fetch[int](ctx, h)
	if err != nil || got != 20 {
		t.Fatalf("got %d, %v", got, err)
	}
	// As an argument: it is not computed again.
	for i := 0; i < 3; i++ {
		v, err := cairn.Collect[int](ctx, s, cairn.Delayed(func(x int) int { return x + 1 })(h))
		if err != nil || v != 21 {
			t.Fatalf("got %d, %v", v, err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("spawned function ran %d times", calls.Load())
	}
	if _, err := cairn.Delayed(func() int { return 1 })().Wait(ctx); !errors.Is(err, cairn.ErrNotSpawned) {
		t.Fatalf("Wait on an unspawned thunk: %v", err)
	}
	// A failed spawn fails its consumers.
	bad := cairn.Spawn(ctx, s, cairn.Delayed(func() (int, error) { return 0, errors.New("no") })())
	_, err = cairn.Compute(ctx, s, cairn.Delayed(func(x int) int { return x })(bad))
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) {
		t.Fatalf("err %v", err)
	}
}

func TestEvents(t *testing.T) {
	var mu sync.Mutex
	counts := map[cairn.EventKind]int{}
	var stats *cairn.RunStats
	var graph int
	l := cairn.ListenerFunc(func(e cairn.Event) {
		mu.Lock()
		defer mu.Unlock()
		counts[e.Kind]++
		if e.Kind == cairn.RunStarted {
			graph = len(e.Thunks)
		}
		if e.Kind == cairn.RunFinished {
			stats = e.Stats
		}
	})
	s := newSched(t, &cairn.Config{Listeners: []cairn.Listener{l}})
	leaves := make([]any, 10)
	for i := range leaves {
		leaves[i] = cairn.Delayed(func(i int) int { return i })(i)
	}
	if _, err := cairn.Compute(context.Background(), s, cairn.Delayed(func(xs ...int) int { return len(xs) })(leaves...)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if counts[cairn.RunStarted] != 1 || counts[cairn.RunFinished] != 1 || graph != 11 {
		t.Fatalf("run events %v, graph %d", counts, graph)
	}
	for _, k := range []cairn.EventKind{cairn.ThunkScheduled, cairn.ThunkStarted, cairn.ThunkFinished} {
		if counts[k] != 11 {
			t.Fatalf("%v: %d events, want 11", k, counts[k])
		}
	}
	if stats == nil || stats.Computed != 11 || stats.Thunks != 11 {
		t.Fatalf("stats %+v", stats)
	}
}

func TestClosed(t *testing.T) {
	s := cairn.New(nil)
	s.Close()
	s.Close()
	if _, err := cairn.Compute(context.Background(), s, cairn.Delayed(func() int { return 1 })()); !errors.Is(err, cairn.ErrClosed) {
		t.Fatalf("err %v", err)
	}
}

func TestDeepChainAndWideFanIn(t *testing.T) {
	ctx := context.Background()
	s := newSched(t, nil)
	inc := func(x int) int { return x + 1 }
	th := cairn.Delayed(func() int { return 0 })()
	for i := 0; i < 200_000; i++ {
		th = cairn.Delayed(inc)(th)
	}
	got, err := cairn.Collect[int](ctx, s, th)
	if err != nil || got != 200_000 {
		t.Fatalf("chain: %d, %v", got, err)
	}
	leaves := make([]any, 100_000)
	one := func() int { return 1 }
	for i := range leaves {
		leaves[i] = cairn.Delayed(one)()
	}
	n, err := cairn.Collect[int](ctx, s, cairn.Delayed(func(xs ...int) int { return len(xs) })(leaves...))
	if err != nil || n != 100_000 {
		t.Fatalf("fan-in: %d, %v", n, err)
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
