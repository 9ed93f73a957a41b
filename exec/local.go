package exec

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// local runs tasks on the calling goroutine: the scheduler's slots are
// the parallelism.
type local struct{ slots int }

// NewLocal returns the executor that runs tasks in this process, n at a
// time (n < 1 means GOMAXPROCS): cairn's default. It leaves checkpoint
// requests to the scheduler, which writes them off the critical path.
func NewLocal(n int) Executor {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	return local{slots: n}
}

func (e local) Slots() int { return e.slots }

func (e local) Execute(ctx context.Context, t *Task) (Result, error) {
	v, err := Run(ctx, t)
	if err != nil {
		return Result{}, err
	}
	return Result{Chunk: NewValue(v, t.Key)}, nil
}

// Run fetches the task's argument values and calls its function in this
// process. A panic, in the function or in a chunk's Value, is returned as a
// *PanicError.
func Run(ctx context.Context, t *Task) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		v, err := a.Value(ctx)
		if err != nil {
			return nil, fmt.Errorf("cairn: argument %d: %w", i+1, err)
		}
		args[i] = v
	}
	return t.Func.Call(ctx, args)
}
