package cairn

import (
	"context"
	"fmt"
	"reflect"

	"github.com/cairnlabs/cairn/exec"
)

// Chunk is a handle on a computed value: the result of a thunk, an
// argument for further thunks, or what a Restore function hands back
// (Dagger's Chunk). A Chunk made in this process holds its value; one made
// by a cluster executor holds only where the value lives, and fetches it
// when asked. Implementations must be safe for concurrent use.
type Chunk interface {
	// Value returns the chunk's value, fetching it first if it lives
	// elsewhere.
	Value(ctx context.Context) (any, error)
}

// ToChunk wraps a value as a Chunk (Dagger's tochunk). A Chunk is returned
// as is. Restore functions return ToChunk(v) for a restored value.
func ToChunk(v any) Chunk {
	if c, ok := v.(Chunk); ok {
		return c
	}
	return exec.NewValue(v, "")
}

// Value returns the value held by c as a T. It fails, naming both types, if
// the value is of another type; a nil value gives T's zero value when T can
// be nil.
func Value[T any](ctx context.Context, c Chunk) (T, error) {
	var zero T
	if c == nil {
		return zero, fmt.Errorf("cairn: Value of a nil Chunk")
	}
	v, err := c.Value(ctx)
	if err != nil {
		return zero, err
	}
	return convert[T](v)
}

func convert[T any](v any) (T, error) {
	if t, ok := v.(T); ok {
		return t, nil
	}
	var zero T
	want := reflect.TypeFor[T]()
	if v == nil {
		switch want.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Map, reflect.Func, reflect.Chan:
			return zero, nil
		}
		return zero, fmt.Errorf("cairn: the chunk holds nil, not %s", article(want))
	}
	return zero, fmt.Errorf("cairn: the chunk holds %s, not %s", article(reflect.TypeOf(v)), article(want))
}

// article writes a type with its indefinite article: "an int", "a float64".
func article(t reflect.Type) string {
	s := t.String()
	switch s[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + s
	}
	return "a " + s
}
