package cairn_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/exec"
)

// firstLost is an executor that loses every task's first attempt, as a
// worker dying with all its tasks does, and runs the others here. It is a
// fake for fault injection.
type firstLost struct{ slots int }

func (e firstLost) Slots() int { return e.slots }

func (e firstLost) Execute(ctx context.Context, t *exec.Task) (exec.Result, error) {
	if t.Attempt == 1 {
		return exec.Result{}, &exec.LostError{Worker: "w1", Err: errors.New("the worker died")}
	}
	return e.run(ctx, t)
}

// Many tasks lost at once, on concurrent slots (the race detector watches
// the bookkeeping of losses), all run again and the run succeeds.
func TestConcurrentLosses(t *testing.T) {
	s := newSched(t, &cairn.Config{Executor: firstLost{slots: 16}, Logger: quietLog()})
	for range 5 {
		ys := make([]*cairn.Thunk, 64)
		for i := range ys {
			ys[i] = cairn.Delayed(lsqFn, cairn.Options{Name: fmt.Sprintf("sq%d", i)})(float64(i))
		}
		var st cairn.RunStats
		got, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(lsumFn)(cairn.Args(ys)...), cairn.RunOptions{Stats: &st})
		if err != nil {
			t.Fatal(err)
		}
		if got != 85344 || st.Lost != 65 {
			t.Fatalf("got %v, stats %+v: want 85344, 65 lost", got, st)
		}
	}
}

// inputsLost is an executor whose tasks named "c..." find their first
// input lost on their first attempt, as consumers of a value held by a
// dead worker do; it runs the others here. It is a fake for fault
// injection.
type inputsLost struct{ slots int }

func (e inputsLost) Slots() int { return e.slots }

func (e inputsLost) Execute(ctx context.Context, t *exec.Task) (exec.Result, error) {
	if t.Attempt == 1 && t.Name[0] == 'c' {
		return exec.Result{}, &exec.LostError{Worker: "w1", Inputs: []int{0}, Err: errors.New("held by a dead worker")}
	}
	return firstLost{}.run(ctx, t)
}

func (firstLost) run(ctx context.Context, t *exec.Task) (exec.Result, error) {
	v, err := exec.Run(ctx, t)
	if err != nil {
		return exec.Result{}, err
	}
	return exec.Result{Chunk: exec.NewValue(v, t.Key)}, nil
}

// Many consumers finding their shared input lost at once, on concurrent
// slots: the input is made again and every consumer runs (the race
// detector watches the results the losses forget).
func TestConcurrentInputLosses(t *testing.T) {
	s := newSched(t, &cairn.Config{Executor: inputsLost{slots: 16}, Logger: quietLog()})
	for range 5 {
		src := cairn.Delayed(lsqFn, cairn.Options{Name: "src"})(3.0)
		cs := make([]*cairn.Thunk, 32)
		for i := range cs {
			cs[i] = cairn.Delayed(lsqFn, cairn.Options{Name: fmt.Sprintf("c%d", i)})(src)
		}
		got, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(lsumFn, cairn.Options{Name: "sum"})(cairn.Args(cs)...))
		if err != nil {
			t.Fatal(err)
		}
		if got != 32*81 {
			t.Fatalf("got %v, want %v", got, 32*81)
		}
	}
}

// lateLoss is an executor on which consumers "a" and "b" find their input
// lost on their first attempt: "a" at once, "b" only once "a" runs again,
// that is once the input was made again. It is a fake for fault
// injection.
type lateLoss struct {
	aAgain chan struct{} // closed when "a" starts its second attempt
	mu     sync.Mutex
	runs   map[string]int
}

func (e *lateLoss) Slots() int { return 4 }

func (e *lateLoss) Execute(ctx context.Context, t *exec.Task) (exec.Result, error) {
	e.mu.Lock()
	e.runs[t.Name]++
	e.mu.Unlock()
	lost := &exec.LostError{Worker: "w1", Inputs: []int{0}, Err: errors.New("held by a dead worker")}
	switch {
	case t.Name == "a" && t.Attempt == 1:
		return exec.Result{}, lost
	case t.Name == "a" && t.Attempt == 2:
		close(e.aAgain)
	case t.Name == "b" && t.Attempt == 1:
		<-e.aAgain
		return exec.Result{}, lost
	}
	return firstLost{}.run(ctx, t)
}

// A consumer that reports its input lost after the input was already made
// again (another consumer reported first) does not make it a third time.
func TestLateLossReport(t *testing.T) {
	e := &lateLoss{aAgain: make(chan struct{}), runs: map[string]int{}}
	s := newSched(t, &cairn.Config{Executor: e, Logger: quietLog()})
	src := cairn.Delayed(lsqFn, cairn.Options{Name: "src"})(3.0)
	a := cairn.Delayed(lsqFn, cairn.Options{Name: "a"})(src)
	b := cairn.Delayed(lsqFn, cairn.Options{Name: "b"})(src)
	var st cairn.RunStats
	got, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(lsumFn, cairn.Options{Name: "sum"})(a, b), cairn.RunOptions{Stats: &st})
	if err != nil || got != 162 {
		t.Fatalf("got %v, %v", got, err)
	}
	if e.runs["src"] != 2 || st.Recomputed != 1 {
		t.Fatalf("src ran %d times, stats %+v: want 2 runs, 1 recomputed", e.runs["src"], st)
	}
}
