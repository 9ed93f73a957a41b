package codec

import (
	"reflect"
	"slices"
	"strings"
)

// UnfaithfulError reports a value that the codec cannot store and give back
// as it was, and says where the problem lies and how to fix it. It matches
// ErrUnfaithful with errors.Is.
type UnfaithfulError struct {
	// Type is the type that was checked: that of the value given to
	// Marshal or CheckValue, or the type given to Check or Unmarshal.
	Type reflect.Type

	// Path locates the problem inside Type, in Go syntax that starts with
	// Type's name: "demo.Item.name" is a field, "[]demo.Item[...].name"
	// the field in any element of a slice, array or map ("[key]" for a
	// map's keys), "demo.Box.V.(demo.Item).name" the field of the value
	// held by an interface, "(*demo.Node).Next.Next" the pointer that
	// closes a cycle. Paths longer than 16 steps have their middle elided
	// ("…").
	Path string

	// At is the type at fault: the struct with the unexported field, the
	// func or chan type, the concrete type that was not gob.Register'ed,
	// the pointer type of a cycle.
	At reflect.Type

	// Problem says what is wrong, and Fix what to do about it.
	Problem, Fix string
}

// Error returns "codec: cannot store T faithfully: path: problem (fix)".
func (e *UnfaithfulError) Error() string {
	return "codec: cannot store " + e.Type.String() + " faithfully: " + e.Path + ": " + e.Problem + " (" + e.Fix + ")"
}

// Unwrap returns ErrUnfaithful.
func (e *UnfaithfulError) Unwrap() error { return ErrUnfaithful }

// Check reports, as an *UnfaithfulError, whether Marshal would refuse
// values of type t for a reason that the type alone shows: an unexported
// field at any depth, a func or chan, a half-implemented marshaler (see
// the package documentation for the rule). A nil t, a type with a
// Register'ed codec and an interface type pass.
//
// Check cannot see inside interface values, nor whether a value holds a
// cycle: where t can hold either, Check passes and CheckValue looks.
// Check is stricter than Marshal for nil values: Marshal stores a nil func,
// pointer, slice or map of any type as Nil.
//
// The result is computed once per type and cached, so a later Check of the
// same type costs a map lookup and, for a faithful type, allocates nothing.
// Check is safe for concurrent use.
func Check(t reflect.Type) error {
	if t == nil || lookupType(t) != nil {
		return nil
	}
	if p := checkType(t).prob; p != nil {
		return p.err(t)
	}
	return nil
}

// CheckValue returns the error that Marshal would return for v because the
// codec cannot store it faithfully, or nil: it applies Check's rules to v's
// type and then walks v into the values its interfaces hold and through
// its pointers, slices and maps, looking for the concrete types that gob
// cannot carry or that were not gob.Register'ed, nil pointers held by
// interfaces, and cycles. Other errors that Marshal can report, such as an
// encoder's own, are not foreseen.
//
// The walk happens only for types that can hold interfaces or cycles;
// for others CheckValue costs what Check does. CheckValue does not modify
// v, and is safe for concurrent use as long as nothing modifies v.
func CheckValue(v any) error {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		if rv.IsNil() {
			return nil // Nil
		}
	}
	if t := rv.Type(); lookupType(t) != nil || rawNatural(t) != nil {
		return nil
	}
	return checkValue(rv)
}

// problem is what a check found, relative to the type or value checked.
type problem struct {
	rev       []string     // the path's steps, innermost first
	at        reflect.Type // UnfaithfulError.At
	what, fix string       // UnfaithfulError.Problem and Fix
}

// under returns p seen from one step further out. p is shared (it may sit
// in the type cache), so its steps are copied, never appended to in place.
func (p *problem) under(step string) *problem {
	q := *p
	q.rev = append(slices.Clip(p.rev), step)
	return &q
}

// maxPathSteps is the longest path that UnfaithfulError.Path spells out.
const maxPathSteps = 16

// err returns p as an *UnfaithfulError for the checked type t; a new one
// each time, so callers may keep or modify it.
func (p *problem) err(t reflect.Type) *UnfaithfulError {
	var b strings.Builder
	name := t.String()
	if t.Kind() == reflect.Pointer && len(p.rev) > 0 && strings.HasPrefix(p.rev[len(p.rev)-1], ".") {
		name = "(" + name + ")" // (*demo.Item).name, not *demo.Item.name
	}
	b.WriteString(name)
	n := len(p.rev)
	for i := n - 1; i >= 0; i-- {
		if n > maxPathSteps && i == n-maxPathSteps*3/4-1 {
			b.WriteString("…")
			i = maxPathSteps/4 - 1
		}
		b.WriteString(p.rev[i])
	}
	return &UnfaithfulError{Type: t, Path: b.String(), At: p.at, Problem: p.what, Fix: p.fix}
}
