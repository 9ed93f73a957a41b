package cairn

import (
	"context"
	"reflect"

	"github.com/cairnlabs/cairn/internal/runner"
)

// Func is a function with a stable name and version, as made by Register.
// Thunks of a Func can be checkpointed under automatic keys and run in
// other processes of the same binary, where Register gave the name the
// same function. A Func is safe for concurrent use.
type Func struct{ f *runner.Func }

// wrapFunc returns the *Func of a runner function, made once.
func wrapFunc(f *runner.Func) *Func {
	if w, ok := f.Owner.(*Func); ok {
		return w
	}
	return &Func{f: f}
}

// Name returns the function's registered name (or, for a function that was
// not registered, its Go symbol name).
func (f *Func) Name() string { return f.f.Name() }

// Version returns the function's version ("" if none was given).
func (f *Func) Version() string { return f.f.Version() }

// Registered reports whether f was made by Register.
func (f *Func) Registered() bool { return f.f.Registered() }

// ResultType returns the Go type of the function's value result, or nil if
// it returns only an error.
func (f *Func) ResultType() reflect.Type { return f.f.ResultType() }

// Call calls the function in this process with argument values, converting
// each to its parameter's type and turning a panic into a *PanicError. It
// is for executors (package exec): a worker process finds a task's function
// with Lookup and calls it; users call functions through thunks.
func (f *Func) Call(ctx context.Context, args []any) (any, error) { return f.f.Call(ctx, args) }

// FuncOption configures Register.
type FuncOption func(*[]runner.FuncOption)

// Version sets a registered function's version. Bump it when the function's
// behaviour changes: thunks of the new version get new checkpoint keys, so
// exactly they and their dependents recompute. Without a version, the key
// follows the function's source code where it can be found (see Thunk.Key).
func Version(v string) FuncOption {
	return func(o *[]runner.FuncOption) { *o = append(*o, runner.WithVersion(v)) }
}

// NoCheckpoint marks a registered function whose results are cheaper to
// compute again than to store and read back — generating a seeded random
// block, say. Config.Checkpoints never stores its thunks; they still have
// keys, so the thunks downstream of them are checkpointed as usual.
func NoCheckpoint() FuncOption {
	return func(o *[]runner.FuncOption) { *o = append(*o, runner.WithNoStore()) }
}

// Register gives the function f a stable name (and, with Version, a
// version) and returns it as a *Func that Delayed accepts. Passing f itself
// to Delayed afterwards finds the registration too. Register is meant for
// package initialisation — worker processes register the same names when
// they start — and like database/sql.Register it panics if name is empty
// or already registered, or if f is not a function.
func Register(name string, f any, opts ...FuncOption) *Func {
	var ro []runner.FuncOption
	for _, o := range opts {
		o(&ro)
	}
	rf := runner.Register(name, f, ro...)
	w := &Func{f: rf}
	rf.Owner = w
	return w
}

// Lookup returns the function registered under name, if any.
func Lookup(name string) (*Func, bool) {
	f, ok := runner.Lookup(name)
	if !ok {
		return nil, false
	}
	return wrapFunc(f), true
}

// funcOf turns what Delayed was given into the runner's function: a *Func
// as is; a registered Go function as its registration; any other function
// as an unregistered one named after its symbol.
func funcOf(f any) (*runner.Func, error) {
	if w, ok := f.(*Func); ok {
		if w == nil || w.f == nil {
			return nil, errNilFunc
		}
		return w.f, nil
	}
	return runner.FuncOf(f)
}
