package cairn_test

import (
	"context"
	"errors"
	"fmt"
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
