package codec

import (
	"encoding/gob"
	"io"
	"reflect"
	"strings"
	"sync"
)

// checkValue returns why rv cannot be stored faithfully, or nil: the
// static check of its type, then, for a type that can hold interfaces or
// cycles, a walk of the value.
func checkValue(rv reflect.Value) error {
	c := checkType(rv.Type())
	if c.prob == nil && !c.walk {
		return nil
	}
	var w valueChecker
	if p := w.value(rv, c); p != nil {
		return p.err(rv.Type())
	}
	return nil
}

// valueChecker walks a value depth first, as gob will encode it.
type valueChecker struct {
	path map[visit]bool // pointers, slices and maps on the current path, to find cycles
}

// value checks v, whose type's check is c.
func (w *valueChecker) value(v reflect.Value, c *typeCheck) *problem {
	if c.prob != nil || !c.walk {
		return c.prob
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		if !w.enter(v) {
			return cycle(v.Type())
		}
		defer w.leave(v)
		return w.value(v.Elem(), checkType(v.Type().Elem()))
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if p := w.held(v.Elem()); p != nil {
			return p.under(".(" + v.Elem().Type().String() + ")")
		}
	case reflect.Struct:
		for _, f := range c.fields {
			if p := w.value(v.Field(f.index), checkType(f.typ)); p != nil {
				return p.under("." + f.name)
			}
		}
	case reflect.Slice, reflect.Array:
		ec := checkType(v.Type().Elem())
		if !ec.walk || v.Len() == 0 {
			return nil
		}
		if v.Kind() == reflect.Slice {
			if !w.enter(v) {
				return cycle(v.Type())
			}
			defer w.leave(v)
		}
		for i := range v.Len() {
			if p := w.value(v.Index(i), ec); p != nil {
				return p.under("[...]")
			}
		}
	case reflect.Map:
		kc, ec := checkType(v.Type().Key()), checkType(v.Type().Elem())
		if !kc.walk && !ec.walk || v.Len() == 0 {
			return nil
		}
		if !w.enter(v) {
			return cycle(v.Type())
		}
		defer w.leave(v)
		for it := v.MapRange(); it.Next(); {
			if p := w.value(it.Key(), kc); p != nil {
				return p.under("[key]")
			}
			if p := w.value(it.Value(), ec); p != nil {
				return p.under("[...]")
			}
		}
	}
	return nil
}

// held checks the non-nil value e that an interface holds: gob needs its
// concrete type gob.Register'ed, and cannot encode a nil pointer there.
func (w *valueChecker) held(e reflect.Value) *problem {
	t := e.Type()
	if t.Kind() == reflect.Pointer && e.IsNil() {
		return &problem{at: t, what: "a nil pointer held by an interface, which gob cannot encode",
			fix: "store a nil interface instead of a nil " + t.String()}
	}
	c := checkType(t)
	if c.prob != nil {
		return c.prob
	}
	if !gobRegistered(t) {
		return &problem{at: t, what: "held by an interface, and gob does not know the concrete type",
			fix: "call gob.Register with a " + t.String() + " in an init function of its package"}
	}
	return w.value(e, c)
}

// cycle is the problem of a pointer, slice or map of type t that leads
// back to itself.
func cycle(t reflect.Type) *problem {
	return &problem{at: t, what: "a cycle: the value leads back to itself here, and gob would follow it until the stack overflows",
		fix: "break the cycle (refer by index or key instead of by pointer), or implement encoding.BinaryMarshaler and encoding.BinaryUnmarshaler on a type that holds it"}
}

// enter records the pointer, slice or map v on the current path; it
// returns false if v is already there.
func (w *valueChecker) enter(v reflect.Value) bool {
	k := visit{v.UnsafePointer(), v.Type(), 0}
	if v.Kind() == reflect.Slice {
		k.len = v.Len()
	}
	if w.path == nil {
		w.path = map[visit]bool{}
	}
	if w.path[k] {
		return false
	}
	w.path[k] = true
	return true
}

func (w *valueChecker) leave(v reflect.Value) {
	k := visit{v.UnsafePointer(), v.Type(), 0}
	if v.Kind() == reflect.Slice {
		k.len = v.Len()
	}
	delete(w.path, k)
}

// gobNamed holds the types (pointers stripped, as gob keys them) known to
// be gob.Register'ed. Registration cannot be undone, so only positive
// answers are cached; gob offers no way to ask, so gobRegistered asks by
// encoding a probe.
var gobNamed sync.Map // reflect.Type -> bool

type gobProbe struct{ V any }

// gobRegistered reports whether gob can encode a t held by an interface,
// which needs t's concrete type gob.Register'ed (gob registers the basic
// types and slices of them itself). It encodes a pointer to a zero t in an
// interface: only an unregistered type fails with gob's "type not
// registered" error; any other error comes later in gob's work, so the
// type is registered.
func gobRegistered(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem() // Check has refused recursive pointer types
	}
	if _, ok := gobNamed.Load(t); ok {
		return true
	}
	err := safeCall("gob encoder", func() error {
		return gob.NewEncoder(io.Discard).Encode(gobProbe{reflect.New(t).Interface()})
	})
	if err != nil && strings.Contains(err.Error(), "type not registered for interface") {
		return false
	}
	gobNamed.Store(t, true)
	return true
}
