package cairn

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
)

// Executor runs tasks: the local goroutine pool by default; the cluster
// package's executor runs them in other processes. The scheduler calls
// Execute from at most Slots goroutines at once, each blocking until its
// task is done, so an executor that waits on the network simply reports
// more slots than this machine has cores.
//
// Executors know nothing of graphs or checkpoints. A Task names its function
// (Func.Name and Func.Version identify it in another process) and carries
// its arguments as Chunks, so nothing requires shared memory.
type Executor interface {
	// Slots reports how many tasks may run at once.
	Slots() int
	// Execute runs t and returns its result. A returned error fails the
	// task (a *PanicError if it panicked).
	Execute(ctx context.Context, t *Task) (Chunk, error)
}

// Task is one execution of a thunk, as handed to an Executor.
type Task struct {
	// ID identifies the thunk within this process; Name labels it.
	ID   uint64
	Name string
	// Func is the function to call.
	Func *Func
	// Args are the arguments, in order. A thunk argument is the chunk its
	// thunk produced; a literal is wrapped as a chunk.
	Args []Chunk
	// Key is the thunk's checkpoint key, if it has one ("" otherwise).
	Key string
	// Attempt counts from 1.
	Attempt int
	// Worker is the slot the task runs in.
	Worker int
}

// Call resolves the task's arguments and calls its function here, turning a
// panic into a *PanicError and an argument of the wrong type into an error.
// Executors call it where the task runs.
func (t *Task) Call(ctx context.Context) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	in, err := t.args(ctx, t.Func.sig)
	if err != nil {
		return nil, err
	}
	return t.Func.Call(ctx, in)
}

// args converts the argument chunks to the reflect values f expects; for a
// variadic f the trailing arguments are gathered into a slice.
func (t *Task) args(ctx context.Context, sig *signature) ([]reflect.Value, error) {
	n := len(sig.params)
	fixed := n
	if sig.variadic {
		fixed = n - 1
	}
	in := make([]reflect.Value, n)
	for i := 0; i < fixed; i++ {
		v, err := argValue(ctx, t.Args[i], sig.params[i], i)
		if err != nil {
			return nil, err
		}
		in[i] = v
	}
	if sig.variadic {
		st := sig.params[n-1]
		rest := len(t.Args) - fixed
		s := reflect.MakeSlice(st, rest, rest)
		for j := 0; j < rest; j++ {
			v, err := argValue(ctx, t.Args[fixed+j], st.Elem(), fixed+j)
			if err != nil {
				return nil, err
			}
			s.Index(j).Set(v)
		}
		in[n-1] = s
	}
	return in, nil
}

func argValue(ctx context.Context, c Chunk, want reflect.Type, i int) (reflect.Value, error) {
	x, err := c.Value(ctx)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("cairn: argument %d: %w", i+1, err)
	}
	if x == nil {
		if !nillable(want) {
			return reflect.Value{}, fmt.Errorf("cairn: argument %d is nil, the function wants a %v", i+1, want)
		}
		return reflect.Zero(want), nil
	}
	v := reflect.ValueOf(x)
	if !v.Type().AssignableTo(want) {
		return reflect.Value{}, fmt.Errorf("cairn: argument %d is a %v, the function wants a %v", i+1, v.Type(), want)
	}
	return v, nil
}

// localExecutor runs tasks on the calling goroutine: the scheduler's worker
// slots are the parallelism.
type localExecutor struct{ slots int }

// Local returns the executor that runs tasks in this process, n at a time
// (n < 1 means GOMAXPROCS). It is the default.
func Local(n int) Executor {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	return localExecutor{slots: n}
}

func (e localExecutor) Slots() int { return e.slots }

func (e localExecutor) Execute(ctx context.Context, t *Task) (Chunk, error) {
	v, err := t.Call(ctx)
	if err != nil {
		return nil, err
	}
	return &valueChunk{v: v, key: t.Key}, nil
}
