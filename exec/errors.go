package exec

import (
	"errors"
	"fmt"
)

// ErrLost matches errors of tasks that did not fail but were lost: the
// worker running them is gone, or an input they needed was held only by a
// worker that is gone. The scheduler runs a lost task again (recomputing or
// restoring its lost inputs first) instead of failing the run.
var ErrLost = errors.New("exec: task lost")

// LostError reports a lost task. When Inputs is set, the task never ran:
// those arguments (by index into Task.Args) are gone and must be made
// again before the task can run.
type LostError struct {
	// Worker is the worker that was lost ("" if unknown).
	Worker string
	// Inputs lists the indexes of the arguments whose values are gone.
	Inputs []int
	// Err is the cause, for people.
	Err error
}

func (e *LostError) Error() string {
	what := "task lost"
	if len(e.Inputs) > 0 {
		what = fmt.Sprintf("inputs %v lost", e.Inputs)
	}
	if e.Worker != "" {
		what += " with worker " + e.Worker
	}
	if e.Err != nil {
		return what + ": " + e.Err.Error()
	}
	return what
}

// Is reports whether target is ErrLost.
func (e *LostError) Is(target error) bool { return target == ErrLost }

// Unwrap returns the cause.
func (e *LostError) Unwrap() error { return e.Err }

// PanicError is the error of a task whose function panicked.
type PanicError struct {
	// Value is what the function panicked with.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
