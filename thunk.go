package cairn

import (
	"fmt"
	"reflect"
	"runtime"
	"sync/atomic"
)

// Thunk is a lazy call of a function on arguments (Dagger's Thunk, made by
// Delayed). Arguments are plain values, other thunks, or chunks; nothing
// runs until the thunk, or a thunk that depends on it, is passed to
// Compute, Collect or Spawn. A Thunk is immutable once made and may be used
// by several goroutines and in several graphs at once.
type Thunk struct {
	id   uint64
	fn   *Func
	args []any // *Thunk, Chunk, or a literal value
	opts *Options
	pc   uintptr
	err  error

	key   atomic.Pointer[keyResult]
	spawn atomic.Pointer[spawnState]
}

var thunkIDs atomic.Uint64

// Delayed returns a function that makes thunks calling f (Dagger's
// delayed). f is a Go function or a *Func from Register. It may take a
// context.Context first, may be variadic, and returns one value and
// optionally an error last (or only an error).
//
//	sum := cairn.Delayed(sumBlock)(chunk)
//	z := cairn.Delayed(inner)(ys...)
//
// Arguments are checked against f's parameters as the thunk is made; a
// mismatch does not panic: it is kept in the thunk (see Err) and returned by
// Compute or Collect as a *BuildError naming the thunk and this call's line.
//
// f must not modify its arguments (a slice's elements, a map, what a
// pointer points to): a thunk's result is shared by all of its consumers
// and may be being written to a checkpoint meanwhile. Return a new value.
func Delayed(f any, opts ...Options) func(args ...any) *Thunk {
	fn, ferr := funcOf(f)
	var o *Options
	if len(opts) > 0 {
		o = new(Options)
		*o = opts[0]
	}
	return func(args ...any) *Thunk {
		t := &Thunk{id: thunkIDs.Add(1), fn: fn, args: args, opts: o}
		var pcs [1]uintptr
		if runtime.Callers(2, pcs[:]) > 0 {
			t.pc = pcs[0]
		}
		if ferr != nil {
			t.err = &BuildError{Name: t.Name(), CallSite: t.CallSite(), Err: ferr}
			return t
		}
		if err := checkArgs(fn.sig, args); err != nil {
			t.err = &BuildError{Name: t.Name(), CallSite: t.CallSite(), Err: err}
		}
		return t
	}
}

// ID returns a number unique to the thunk within this process.
func (t *Thunk) ID() uint64 { return t.id }

// Name returns Options.Name, or the function's name.
func (t *Thunk) Name() string {
	if t.opts != nil && t.opts.Name != "" {
		return t.opts.Name
	}
	if t.fn == nil {
		return "invalid"
	}
	return t.fn.name
}

// Func returns the function the thunk calls (nil if Delayed was given
// something that is not a function).
func (t *Thunk) Func() *Func { return t.fn }

// Options returns the thunk's options.
func (t *Thunk) Options() Options {
	if t.opts == nil {
		return Options{}
	}
	return *t.opts
}

// CallSite returns the file:line of the call that made the thunk.
func (t *Thunk) CallSite() string { return callSite(t.pc) }

// Err returns the error found when the thunk was made, or nil.
func (t *Thunk) Err() error { return t.err }

// Inputs returns the thunks among the arguments, in argument order.
func (t *Thunk) Inputs() []*Thunk {
	var in []*Thunk
	for _, a := range t.args {
		if d, ok := a.(*Thunk); ok {
			in = append(in, d)
		}
	}
	return in
}

// NumArgs returns the number of arguments the thunk was made with.
func (t *Thunk) NumArgs() int { return len(t.args) }

func (t *Thunk) String() string { return fmt.Sprintf("Thunk(%s#%d)", t.Name(), t.id) }

// checkArgs checks argument count and, where the types are known now,
// argument types.
func checkArgs(sig *signature, args []any) error {
	n := len(sig.params)
	if sig.variadic {
		if len(args) < n-1 {
			return fmt.Errorf("function %v takes at least %d arguments, got %d", sig.typ, n-1, len(args))
		}
	} else if len(args) != n {
		return fmt.Errorf("function %v takes %d arguments, got %d", sig.typ, n, len(args))
	}
	for i, a := range args {
		if err := checkArg(paramType(sig, i), a); err != nil {
			return fmt.Errorf("argument %d: %w", i+1, err)
		}
	}
	return nil
}

// paramType returns the type that argument i must have.
func paramType(sig *signature, i int) reflect.Type {
	n := len(sig.params)
	if sig.variadic && i >= n-1 {
		return sig.params[n-1].Elem()
	}
	return sig.params[i]
}

func checkArg(want reflect.Type, a any) error {
	switch a := a.(type) {
	case *Thunk:
		if a == nil {
			return fmt.Errorf("nil *Thunk")
		}
		if a.fn == nil {
			return nil // its own error is reported
		}
		got := a.fn.sig.result
		if got == nil {
			return fmt.Errorf("thunk %q returns no value (its function returns only an error)", a.Name())
		}
		if got.Kind() == reflect.Interface && !got.AssignableTo(want) {
			return nil // known only at run time
		}
		if !got.AssignableTo(want) {
			return fmt.Errorf("thunk %q gives a %v, the function wants a %v", a.Name(), got, want)
		}
		return nil
	case Chunk:
		return nil // the value's type is known only at run time
	case nil:
		if !nillable(want) {
			return fmt.Errorf("nil given, the function wants a %v", want)
		}
		return nil
	}
	if got := reflect.TypeOf(a); !got.AssignableTo(want) {
		return fmt.Errorf("%v given, the function wants a %v", got, want)
	}
	return nil
}

func nillable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Map, reflect.Func, reflect.Chan:
		return true
	}
	return false
}
