package cairn

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/cairnlabs/cairn/exec"
	"github.com/cairnlabs/cairn/internal/runner"
	"github.com/cairnlabs/cairn/internal/site"
)

var (
	// ErrNoCheckpoint is what a Restore function returns (or wraps) when it
	// has nothing to restore. fs.ErrNotExist means the same.
	ErrNoCheckpoint = runner.ErrNoCheckpoint
	// ErrClosed is returned by calls on a closed Scheduler.
	ErrClosed = runner.ErrClosed
	// ErrNotSpawned is returned by Wait and Fetch on a thunk that was not
	// passed to Spawn.
	ErrNotSpawned = runner.ErrNotSpawned
	// ErrRetryable marks errors that a thunk with Options.Retries may be
	// retried after. Wrap an error with Retryable to mark it.
	ErrRetryable = runner.ErrRetryable
	// ErrUnkeyable is the error of Thunk.Key for a thunk whose inputs or
	// function cannot be hashed into a stable key.
	ErrUnkeyable = runner.ErrUnkeyable
	// ErrLost matches the cause of a thunk that failed because it was lost
	// too many times (Config.LostRetries): the workers running it died.
	ErrLost = exec.ErrLost

	errNilFunc = errors.New("cairn: Delayed got a nil *Func")
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

// ThunkFailedError reports a thunk that returned an error, panicked, ran
// past its Timeout, or was lost too many times. The run's error wraps it:
// use errors.As to get it from Compute or Collect.
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

// PanicError is the cause of a ThunkFailedError when the function
// panicked: the panic value and the goroutine's stack.
type PanicError = exec.PanicError

// BuildError reports a thunk that cannot run as written: a value that is
// not a function, the wrong number of arguments, an argument of the wrong
// type, or an invalid Options.Key. It names the thunk and the line that
// made it.
type BuildError struct {
	Name     string
	CallSite string
	Err      error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("cairn: thunk %q (made at %s): %v", e.Name, e.CallSite, e.Err)
}

func (e *BuildError) Unwrap() error { return e.Err }

// buildError and failure make the runner's errors as this package's types.
func buildError(n *runner.Node, err error) error {
	if t := thunkOf(n); t != nil {
		return t.buildError(err)
	}
	return &BuildError{Name: n.Name(), CallSite: "unknown", Err: err}
}

func failure(n *runner.Node, attempts int, err error) error {
	t := thunkOf(n)
	return &ThunkFailedError{Thunk: t, Name: n.Name(), CallSite: nodeSite(n), Attempts: attempts, Err: err}
}

// callSite formats a program counter as file:line.
func callSite(pc uintptr) string {
	if pc == 0 {
		return "unknown"
	}
	fr, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	if fr.File == "" {
		return "unknown"
	}
	return site.Format(fr.File, fr.Line)
}

// nodeSite returns where the thunk of n was made: Options.CallSite if
// given, else the call of its maker.
func nodeSite(n *runner.Node) string {
	if n.Opts != nil {
		if o, ok := n.Opts.Owner.(Options); ok && o.CallSite != "" {
			return o.CallSite
		}
	}
	return callSite(n.PC)
}
