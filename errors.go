package cairn

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
)

var (
	// ErrNoCheckpoint is what a Restore function returns (or wraps) when it
	// has nothing to restore. fs.ErrNotExist means the same.
	ErrNoCheckpoint = errors.New("cairn: no checkpoint")
	// ErrClosed is returned by calls on a closed Scheduler.
	ErrClosed = errors.New("cairn: scheduler closed")
	// ErrNotSpawned is returned by Wait and Fetch on a thunk that was not
	// passed to Spawn.
	ErrNotSpawned = errors.New("cairn: thunk was not spawned")
	// ErrRetryable marks errors that a thunk with Options.Retries may be
	// retried after. Wrap an error with Retryable to mark it.
	ErrRetryable = errors.New("cairn: retryable")
	// ErrUnkeyable is the error of Thunk.Key for a thunk whose inputs or
	// function cannot be hashed into a stable key.
	ErrUnkeyable = errors.New("cairn: thunk has no stable key")
)

// Retryable marks err as transient: a thunk with Options.Retries returning
// it is run again after a backoff. errors.Is(Retryable(err), ErrRetryable)
// holds, and the original error stays reachable with errors.Is/As.
func Retryable(err error) error {
	if err == nil {
		return nil
	}
	return &retryableError{err}
}

type retryableError struct{ err error }

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() []error {
	return []error{e.err, ErrRetryable}
}

// ThunkFailedError reports a thunk that returned an error or panicked. The
// run's error wraps it: use errors.As to get it from Compute or Collect.
type ThunkFailedError struct {
	// Thunk is the thunk that failed.
	Thunk *Thunk
	// Name is the thunk's name, CallSite where it was made (file:line).
	Name     string
	CallSite string
	// Attempts is how many times the thunk ran.
	Attempts int
	// Err is the cause: the function's error, or a *PanicError.
	Err error
}

func (e *ThunkFailedError) Error() string {
	return fmt.Sprintf("cairn: thunk %q (made at %s) failed: %v", e.Name, e.CallSite, e.Err)
}

func (e *ThunkFailedError) Unwrap() error { return e.Err }

// PanicError is the cause of a ThunkFailedError when the function panicked.
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

// BuildError reports a thunk that cannot run as written: a value that is
// not a function, the wrong number of arguments, or an argument of the
// wrong type. It names the thunk and the line that made it.
type BuildError struct {
	Name     string
	CallSite string
	Err      error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("cairn: thunk %q (made at %s): %v", e.Name, e.CallSite, e.Err)
}

func (e *BuildError) Unwrap() error { return e.Err }

// callSite formats a program counter as file:line.
func callSite(pc uintptr) string {
	if pc == 0 {
		return "unknown"
	}
	fr, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	if fr.File == "" {
		return "unknown"
	}
	file := fr.File
	if i := strings.LastIndex(file, "/"); i >= 0 {
		if j := strings.LastIndex(file[:i], "/"); j >= 0 {
			file = file[j+1:]
		}
	}
	return fmt.Sprintf("%s:%d", file, fr.Line)
}
