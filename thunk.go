package cairn

import (
	"fmt"
	"reflect"
	"sync/atomic"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/exec"
	"github.com/cairnlabs/cairn/internal/runner"
)

// Thunk is a lazy call of a function on arguments (Dagger's Thunk, made by
// Delayed). Arguments are plain values, other thunks, or chunks; nothing
// runs until the thunk, or a thunk that depends on it, is passed to
// Compute, Collect or Spawn. A Thunk is immutable once made and may be used
// by several goroutines and in several graphs at once. The zero Thunk is
// not usable: Compute reports it as a *BuildError.
type Thunk struct {
	n runner.Node
}

var thunkIDs atomic.Uint64

// Delayed returns a function that makes thunks calling f (Dagger's
// delayed). f is a Go function or a *Func from Register. It may take a
// context.Context first, may be variadic, and returns one value and
// optionally an error last (or only an error).
//
//	sum := cairn.Delayed(sumBlock)(chunk)
//	z := cairn.Delayed(inner)(cairn.Args(ys)...)
//
// Thunks and chunks inside a slice, array or map argument are resolved
// too, as Dask resolves them: Delayed(total)(ys), with ys a []*Thunk of
// float64 thunks and total taking a []float64, calls total with their
// values.
//
// Arguments are checked against f's parameters as the thunk is made; a
// mismatch, like an invalid Options.Key, does not panic: it is kept in the
// thunk (see Err) and returned by Compute or Collect as a *BuildError
// naming the thunk and this call's line.
//
// f must not modify its arguments (a slice's elements, a map, what a
// pointer points to): a thunk's result is shared by all of its consumers
// and may be being written to a checkpoint meanwhile. Return a new value.
func Delayed(f any, opts ...Options) func(args ...any) *Thunk {
	fn, ferr := funcOf(f)
	var o *runner.Opts
	if len(opts) > 0 {
		o = opts[0].internal()
		if ferr == nil && opts[0].Key != "" {
			if err := checkpoint.ValidateKey(opts[0].Key); err != nil {
				ferr = fmt.Errorf("Options.Key %q cannot be a checkpoint key: %w", opts[0].Key, err)
			}
		}
	}
	return func(args ...any) *Thunk {
		t := &Thunk{}
		t.n = runner.Node{ID: thunkIDs.Add(1), Fn: fn, Opts: o, Owner: t}
		t.n.PC = thunkPC(callerPC())
		if ferr != nil {
			t.n.Err = t.buildError(ferr)
			return t
		}
		in, err := nodeArgs(args)
		if err == nil {
			err = runner.CheckArgs(fn, in)
		}
		t.n.SetArgs(in)
		if err != nil {
			t.n.Err = t.buildError(err)
		}
		return t
	}
}

func (t *Thunk) buildError(err error) error {
	return &BuildError{Name: t.Name(), CallSite: t.CallSite(), Err: err}
}

var thunkType = reflect.TypeFor[*Thunk]()

// nodeArgs turns Delayed's arguments into the runner's: a thunk as its
// node, and a slice, array or map holding thunks or chunks as a composite.
func nodeArgs(args []any) ([]any, error) {
	in := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case *Thunk:
			if a == nil {
				return nil, fmt.Errorf("argument %d: nil *Thunk", i+1)
			}
			in[i] = &a.n
		case nil, Chunk, int, int64, uint64, float64, string, bool, []int, []float64, []byte:
			in[i] = a // common literals: no reflection
		default:
			c, err := composite(a)
			if err != nil {
				return nil, fmt.Errorf("argument %d: %w", i+1, err)
			}
			if c != nil {
				in[i] = c
			} else {
				in[i] = a
			}
		}
	}
	return in, nil
}

// composite returns a as a composite if it is a slice, array or map whose
// elements may be, and some are, thunks or chunks; nil otherwise.
func composite(a any) (*runner.Composite, error) {
	v := reflect.ValueOf(a)
	k := v.Kind()
	if k != reflect.Slice && k != reflect.Array && k != reflect.Map {
		return nil, nil
	}
	et := v.Type().Elem()
	if et != thunkType && et.Kind() != reflect.Interface {
		return nil, nil
	}
	elem := func(e reflect.Value) (any, bool, error) {
		x := e.Interface()
		switch x := x.(type) {
		case *Thunk:
			if x == nil {
				return nil, false, fmt.Errorf("nil *Thunk in a %v", v.Type())
			}
			return &x.n, true, nil
		case Chunk:
			return x, true, nil
		}
		return x, false, nil
	}
	c := &runner.Composite{Type: v.Type()}
	found := false
	if k == reflect.Map {
		it := v.MapRange()
		for it.Next() {
			x, dep, err := elem(it.Value())
			if err != nil {
				return nil, err
			}
			found = found || dep
			c.Keys = append(c.Keys, it.Key().Interface())
			c.Elems = append(c.Elems, x)
		}
		if c.Keys == nil {
			c.Keys = []any{}
		}
	} else {
		c.Elems = make([]any, v.Len())
		for j := range c.Elems {
			x, dep, err := elem(v.Index(j))
			if err != nil {
				return nil, err
			}
			found = found || dep
			c.Elems[j] = x
		}
	}
	if !found {
		return nil, nil
	}
	return c, nil
}

// ID returns a number unique to the thunk within this process.
func (t *Thunk) ID() uint64 { return t.n.ID }

// Name returns Options.Name, or the function's name.
func (t *Thunk) Name() string { return t.n.Name() }

// Func returns the function the thunk calls (nil if Delayed was given
// something that is not a function).
func (t *Thunk) Func() *Func {
	if t.n.Fn == nil {
		return nil
	}
	return wrapFunc(t.n.Fn)
}

// Options returns the thunk's options.
func (t *Thunk) Options() Options {
	if t.n.Opts == nil {
		return Options{}
	}
	return t.n.Opts.Owner.(Options)
}

// CallSite returns the file:line of the call that made the thunk.
func (t *Thunk) CallSite() string { return nodeSite(&t.n) }

// Err returns the error found when the thunk was made, or nil.
func (t *Thunk) Err() error { return t.n.Err }

// Inputs returns the thunks among the arguments (inside slices and maps
// too), in argument order.
func (t *Thunk) Inputs() []*Thunk {
	var in []*Thunk
	t.n.Inputs(func(d *runner.Node) { in = append(in, thunkOf(d)) })
	return in
}

// NumArgs returns the number of arguments the thunk was made with.
func (t *Thunk) NumArgs() int { return len(t.n.Args) }

func (t *Thunk) String() string { return fmt.Sprintf("Thunk(%s#%d)", t.Name(), t.n.ID) }

// thunkOf returns the *Thunk that holds n (nil for a node of a zero Thunk
// that was never made by Delayed).
func thunkOf(n *runner.Node) *Thunk {
	t, _ := n.Owner.(*Thunk)
	return t
}

// ensure the runner's Func is an exec.Func.
var _ exec.Func = (*runner.Func)(nil)
