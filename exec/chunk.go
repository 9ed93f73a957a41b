package exec

import (
	"context"
	"fmt"
)

// Chunk is a handle on a computed value, as cairn.Chunk: an argument of a
// task or its result. Implementations must be safe for concurrent use.
type Chunk interface {
	// Value returns the chunk's value, fetching it first if it lives
	// elsewhere.
	Value(ctx context.Context) (any, error)
}

// Keyed is implemented by chunks that know the checkpoint key of the thunk
// that made them. A thunk taking such a chunk as an argument is keyed by
// that lineage instead of by the value's content, so the value need not be
// fetched to compute keys.
type Keyed interface {
	Chunk
	Key() string
}

// Remote is implemented by chunks whose value lives outside this process:
// in a worker's memory or on its disk. The scheduler never fetches a
// Remote chunk's value unless a user asks for it (Collect, a Checkpoint
// hook); it releases a chunk once no task needs it any more. Chunks that
// reach users, and those of failed runs, are not released by the
// scheduler: an executor frees them when they are garbage collected
// (runtime.AddCleanup) or when it closes.
type Remote interface {
	Chunk
	// Location names where the value lives: a worker's identity.
	Location() string
	// Size is the value's encoded size in bytes (0 if unknown).
	Size() int64
	// Release frees the value where it lives. It is safe to call more
	// than once and concurrently with Value; a Value after Release may
	// fail.
	Release(ctx context.Context) error
}

// ValueChunk is a Chunk that holds its value in this process: what the
// local executor returns, and what the scheduler makes of literal
// arguments and of restored values.
type ValueChunk struct {
	// V is the value.
	V any
	// K is the checkpoint key of the thunk that made it, or "".
	K string
}

// NewValue returns a chunk holding v, made by the thunk whose key is key
// ("" if none).
func NewValue(v any, key string) *ValueChunk { return &ValueChunk{V: v, K: key} }

// Value returns the value.
func (c *ValueChunk) Value(context.Context) (any, error) { return c.V, nil }

// Key returns the key of the thunk that made the value, or "".
func (c *ValueChunk) Key() string { return c.K }

func (c *ValueChunk) String() string { return fmt.Sprintf("Chunk(%T)", c.V) }

// List is an argument made of several chunks: the thunks and values inside
// a slice, array or map passed to cairn.Delayed. Its Value is a []any of
// the elements' values (in order) or, when Keys is set, a map[any]any from
// each key to its element's value; the function call converts it to the
// parameter's type.
type List struct {
	Elems []Chunk
	// Keys, for a map, holds the map key of each element; nil otherwise.
	Keys []any
}

// Value fetches every element's value.
func (l *List) Value(ctx context.Context) (any, error) {
	vals := make([]any, len(l.Elems))
	for i, e := range l.Elems {
		v, err := e.Value(ctx)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		vals[i] = v
	}
	if l.Keys == nil {
		return vals, nil
	}
	m := make(map[any]any, len(vals))
	for i, v := range vals {
		m[l.Keys[i]] = v
	}
	return m, nil
}
