package cairn_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
)

func addAll(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

func labelled(m map[string]float64) string {
	return strings.Repeat("x", int(m["a"])) + strings.Repeat("y", int(m["b"]))
}

func pair(a [2]int) int { return a[0]*10 + a[1] }

func mixed(xs []any) int { return len(xs) }

func half(x float64) float64 { return x / 2 }

func TestThunksInsideCollectionsAreResolved(t *testing.T) {
	ctx := context.Background()
	s := newSched(t, nil)
	ys := []*cairn.Thunk{cairn.Delayed(half)(2.0), cairn.Delayed(half)(4.0), cairn.Delayed(half)(6.0)}
	got, err := cairn.Collect[float64](ctx, s, cairn.Delayed(addAll)(ys))
	if err != nil || got != 6 {
		t.Fatalf("slice of thunks: %v, %v", got, err)
	}
	m := map[string]*cairn.Thunk{"a": cairn.Delayed(half)(4.0), "b": cairn.Delayed(half)(2.0)}
	if got, err := cairn.Collect[string](ctx, s, cairn.Delayed(labelled)(m)); err != nil || got != "xxy" {
		t.Fatalf("map of thunks: %q, %v", got, err)
	}
	one := cairn.Delayed(func() int { return 1 })()
	if got, err := cairn.Collect[int](ctx, s, cairn.Delayed(pair)([2]*cairn.Thunk{one, one})); err != nil || got != 11 {
		t.Fatalf("array of thunks: %v, %v", got, err)
	}
	// []any mixing thunks, chunks and values.
	xs := []any{ys[0], cairn.ToChunk(3.0), "lit"}
	if got, err := cairn.Collect[int](ctx, s, cairn.Delayed(mixed)(xs)); err != nil || got != 3 {
		t.Fatalf("[]any: %v, %v", got, err)
	}
	// The thunks are the run's dependencies: Inputs sees them.
	if in := cairn.Delayed(addAll)(ys).Inputs(); len(in) != 3 {
		t.Fatalf("Inputs %d, want 3", len(in))
	}
}

func TestThunkSliceToVariadicSaysArgs(t *testing.T) {
	ys := []*cairn.Thunk{cairn.Delayed(half)(2.0)}
	_, err := cairn.Compute(context.Background(), newSched(t, nil), cairn.Delayed(innerFixed)(ys))
	var be *cairn.BuildError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "cairn.Args(ys)...") {
		t.Fatalf("err %v", err)
	}
}

func TestCollectionKeysFollowElements(t *testing.T) {
	a := []*cairn.Thunk{cairn.Delayed(half)(2.0), cairn.Delayed(half)(4.0)}
	b := []*cairn.Thunk{cairn.Delayed(half)(2.0), cairn.Delayed(half)(5.0)}
	c := []*cairn.Thunk{cairn.Delayed(half)(2.0), cairn.Delayed(half)(4.0)}
	ka, err := cairn.Delayed(addAll)(a).Key()
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := cairn.Delayed(addAll)(b).Key()
	kc, _ := cairn.Delayed(addAll)(c).Key()
	if ka == kb || ka != kc {
		t.Fatalf("keys a=%s b=%s c=%s: same elements must give the same key, others another", ka, kb, kc)
	}
	m1 := map[string]*cairn.Thunk{"a": a[0], "b": a[1]}
	m2 := map[string]*cairn.Thunk{"b": c[1], "a": c[0]}
	k1, _ := cairn.Delayed(labelled)(m1).Key()
	k2, _ := cairn.Delayed(labelled)(m2).Key()
	if k1 != k2 {
		t.Fatal("map keys depend on iteration order")
	}
}

func TestTimeoutBoundsOneAttempt(t *testing.T) {
	ctx := context.Background()
	s := newSched(t, nil)
	// A function that honours its context.
	polite := cairn.Delayed(func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	}, cairn.Options{Name: "polite", Timeout: 20 * time.Millisecond})()
	_, err := cairn.Compute(ctx, s, polite)
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) || fe.Name != "polite" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("polite: %v", err)
	}
	// One that ignores it: reported timed out when the time is up, its
	// late result discarded.
	release := make(chan struct{})
	var returned atomic.Bool
	rude := cairn.Delayed(func() int {
		<-release
		returned.Store(true)
		return 42
	}, cairn.Options{Name: "rude", Timeout: 20 * time.Millisecond})()
	start := time.Now()
	_, err = cairn.Compute(ctx, s, rude)
	if !errors.As(err, &fe) || fe.Name != "rude" || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 20ms") {
		t.Fatalf("rude: %v", err)
	}
	if time.Since(start) > 2*time.Second || returned.Load() {
		t.Fatal("the run waited for a function that ignores its context")
	}
	close(release)
	// A timeout can be retried like any error RetryIf accepts.
	var tries atomic.Int32
	flaky := cairn.Delayed(func(ctx context.Context) int {
		if tries.Add(1) == 1 {
			<-ctx.Done()
		}
		return 7
	}, cairn.Options{Timeout: 20 * time.Millisecond, Retries: 2, Backoff: time.Millisecond,
		RetryIf: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }})()
	// (A loaded machine may time out a later attempt too: at least two.)
	if got, err := cairn.Collect[int](ctx, s, flaky); err != nil || got != 7 || tries.Load() < 2 {
		t.Fatalf("retried timeout: %v, %v after %d tries", got, err, tries.Load())
	}
}

func TestRetryIfAnyError(t *testing.T) {
	var tries atomic.Int32
	f := cairn.Delayed(func() (int, error) {
		if tries.Add(1) < 3 {
			return 0, errors.New("plain error, not marked Retryable")
		}
		return 1, nil
	}, cairn.Options{Retries: 5, Backoff: time.Millisecond, RetryIf: func(error) bool { return true }})()
	if got, err := cairn.Collect[int](context.Background(), newSched(t, nil), f); err != nil || got != 1 || tries.Load() != 3 {
		t.Fatalf("%v, %v after %d tries", got, err, tries.Load())
	}
	// Without RetryIf, an unmarked error is not retried.
	tries.Store(0)
	g := cairn.Delayed(func() (int, error) { tries.Add(1); return 0, errors.New("boom") },
		cairn.Options{Retries: 5, Backoff: time.Millisecond})()
	if _, err := cairn.Compute(context.Background(), newSched(t, nil), g); err == nil || tries.Load() != 1 {
		t.Fatalf("%v after %d tries", err, tries.Load())
	}
}

func TestCollectTypeErrorNamesTheThunk(t *testing.T) {
	f := cairn.Delayed(half, cairn.Options{Name: "halver"})(2.0)
	_, err := cairn.Collect[int](context.Background(), newSched(t, nil), f)
	if err == nil || !strings.Contains(err.Error(), `thunk "halver"`) || !strings.Contains(err.Error(), "holds a float64, not an int") ||
		!strings.Contains(err.Error(), "Collect[int]") {
		t.Fatalf("err %v", err)
	}
}

func TestFailureNotLoggedUnlessLoggerGiven(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	fail := cairn.Delayed(func() (int, error) { return 0, errors.New("boom") })()
	s := cairn.New(nil)
	defer s.Close()
	if _, err := cairn.Compute(context.Background(), s, fail); err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(buf.String(), "boom") {
		t.Fatalf("a failure Compute returns was also logged without a Logger:\n%s", buf.String())
	}
	var mine bytes.Buffer
	s2 := cairn.New(&cairn.Config{Logger: slog.New(slog.NewTextHandler(&mine, nil))})
	defer s2.Close()
	_, _ = cairn.Compute(context.Background(), s2, fail)
	if !strings.Contains(mine.String(), "boom") {
		t.Fatalf("the given Logger did not get the failure: %q", mine.String())
	}
}

func TestInvalidExplicitKeyIsABuildError(t *testing.T) {
	for _, key := range []string{"../../etc/passwd", "/abs", "a\x00b", "..", "a/../b"} {
		th := cairn.Delayed(half, cairn.Options{Key: key})(1.0)
		_, err := cairn.Compute(context.Background(), newSched(t, nil), th)
		var be *cairn.BuildError
		if !errors.As(err, &be) || !strings.Contains(err.Error(), "Options.Key") {
			t.Fatalf("key %q: %v", key, err)
		}
	}
}

func TestZeroThunkKeyIsAnError(t *testing.T) {
	k, err := (&cairn.Thunk{}).Key()
	if err == nil || !errors.Is(err, cairn.ErrUnkeyable) || k != "" {
		t.Fatalf("key %q, err %v", k, err)
	}
}
