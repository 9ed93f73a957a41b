package runner

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn/exec"
)

// Node is a thunk as the runner sees it: a lazy call of Fn on Args. The
// user-facing *cairn.Thunk embeds one and is its Owner. A Node is immutable
// once made, but for its cached key and spawn state.
type Node struct {
	ID uint64
	Fn *Func
	// Args are *Node (a thunk argument), *Composite (thunks inside a slice,
	// array or map), exec.Chunk, or literal values.
	Args []any
	Opts *Opts
	PC   uintptr
	// Err is what was wrong when the thunk was made (a build error).
	Err error
	// Owner is the *cairn.Thunk that holds this node.
	Owner any

	key   atomic.Pointer[keyResult]
	spawn atomic.Pointer[SpawnState]
	// reach bounds the number of nodes this one needs, itself included:
	// the nodes on each path (an input shared by several paths is counted
	// once per path), and at most the IDs from low to ID, as inputs are
	// made first. Compile sizes its tables by it.
	reach int32
	low   uint64 // the smallest ID of a node this one needs
}

// maxReach caps Node.reach: compile never sizes its tables for more.
const maxReach = 1 << 16

// SetArgs sets the node's arguments (as Delayed made them), after its ID.
func (n *Node) SetArgs(args []any) {
	n.Args = args
	r, low := int32(1), n.ID
	n.Inputs(func(in *Node) {
		r = min(r+max(in.reach, 1), maxReach)
		low = min(low, cmp.Or(in.low, in.ID))
	})
	if span := n.ID - low + 1; low > 0 && span < uint64(r) {
		r = int32(span)
	}
	n.reach, n.low = r, low
}

// Opts are a node's options (cairn.Options with the hooks adapted).
type Opts struct {
	Name     string
	Priority int
	Retries  int
	Backoff  time.Duration
	// RetryIf decides which errors are retried (nil: those matching
	// cairn.ErrRetryable, given as Retryable).
	RetryIf   func(error) bool
	Retryable error
	Timeout   time.Duration
	// Restore and Checkpoint get the node's Owner.
	Restore            func(ctx context.Context, owner any) (exec.Chunk, error)
	Checkpoint         func(ctx context.Context, owner any, c exec.Chunk) error
	CheckpointRequired bool
	Key                string
	NoCheckpoint       bool
	// Owner is the user's options, as given (a cairn.Options).
	Owner any
}

// Composite is an argument made of several: the thunks, chunks and values
// inside a slice, array or map given to Delayed. It is resolved into the
// collection the function takes when the task runs.
type Composite struct {
	// Type is the collection's own type (what was passed).
	Type reflect.Type
	// Elems are *Node, exec.Chunk or literal values, in order (for a map:
	// in the order of Keys).
	Elems []any
	// Keys holds the map keys of a map, nil otherwise.
	Keys []any
}

// Name returns the node's name: Opts.Name, or its function's.
func (n *Node) Name() string {
	if n.Opts != nil && n.Opts.Name != "" {
		return n.Opts.Name
	}
	if n.Fn == nil {
		return "invalid"
	}
	return n.Fn.name
}

// Inputs calls f for each node among the arguments, composites' elements
// included, in argument order.
func (n *Node) Inputs(f func(*Node)) {
	for _, a := range n.Args {
		switch a := a.(type) {
		case *Node:
			f(a)
		case *Composite:
			for _, e := range a.Elems {
				if d, ok := e.(*Node); ok {
					f(d)
				}
			}
		}
	}
}

// IsChunk reports whether a is a chunk (a value already computed).
func IsChunk(a any) bool {
	_, ok := a.(exec.Chunk)
	return ok
}

// CheckArgs checks argument count and, where the types are known now,
// argument types, for a call of fn with args as Delayed got them (thunks as
// *Node). The error is for a *BuildError.
func CheckArgs(fn *Func, args []any) error {
	sig := fn.sig
	n := len(sig.params)
	if sig.variadic {
		if len(args) < n-1 {
			return fmt.Errorf("function %v takes at least %s, got %d", sig.typ, plural(n-1, "argument"), len(args))
		}
	} else if len(args) != n {
		return fmt.Errorf("function %v takes %s, got %d", sig.typ, plural(n, "argument"), len(args))
	}
	for i, a := range args {
		want := sig.paramType(i)
		if err := checkArg(want, a); err != nil {
			if sig.variadic && i >= n-1 && isThunkSlice(a) {
				return fmt.Errorf("argument %d is a slice of thunks, but %v is variadic over %v: pass them as separate arguments, Delayed(f)(cairn.Args(ys)...)", i+1, sig.typ, want)
			}
			return fmt.Errorf("argument %d: %w", i+1, err)
		}
	}
	return nil
}

// isThunkSlice reports whether a is a composite of a slice whose elements
// are thunks.
func isThunkSlice(a any) bool {
	c, ok := a.(*Composite)
	return ok && c.Keys == nil && c.Type.Kind() == reflect.Slice
}

func checkArg(want reflect.Type, a any) error {
	switch a := a.(type) {
	case *Node:
		return checkNodeArg(want, a)
	case *Composite:
		elem := want
		switch want.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			elem = want.Elem()
		default:
			return fmt.Errorf("%v given (holding thunks), the function wants %s", a.Type, article(want))
		}
		if want.Kind() == reflect.Array && want.Len() != len(a.Elems) {
			return fmt.Errorf("%v given with %d elements, the function wants %v", a.Type, len(a.Elems), want)
		}
		if want.Kind() == reflect.Map {
			if a.Keys == nil {
				return fmt.Errorf("%v given, the function wants %s", a.Type, article(want))
			}
			for _, k := range a.Keys {
				if kt := reflect.TypeOf(k); kt != nil && !kt.AssignableTo(want.Key()) {
					return fmt.Errorf("map key %v is %s, the function wants %v keys", k, article(kt), want.Key())
				}
			}
		} else if a.Keys != nil {
			return fmt.Errorf("%v given, the function wants %s", a.Type, article(want))
		}
		for j, e := range a.Elems {
			if err := checkArg(elem, e); err != nil {
				return fmt.Errorf("element %d: %w", j, err)
			}
		}
		return nil
	case nil:
		if !nillable(want) {
			return fmt.Errorf("nil given, the function wants %s", article(want))
		}
		return nil
	}
	if IsChunk(a) {
		return nil // the value's type is known only at run time
	}
	if got := reflect.TypeOf(a); !got.AssignableTo(want) {
		return fmt.Errorf("%s given, the function wants %s", article(got), article(want))
	}
	return nil
}

func checkNodeArg(want reflect.Type, a *Node) error {
	if a.Fn == nil {
		return nil // its own error is reported
	}
	got := a.Fn.sig.result
	if got == nil {
		return fmt.Errorf("thunk %q returns no value (its function returns only an error)", a.Name())
	}
	if got.Kind() == reflect.Interface && !got.AssignableTo(want) {
		return nil // known only at run time
	}
	if !got.AssignableTo(want) {
		return fmt.Errorf("thunk %q gives %s, the function wants %s", a.Name(), article(got), article(want))
	}
	return nil
}
