package codec

import (
	"encoding"
	"encoding/gob"
	"reflect"
	"sync"
)

// typeCheck is what the static check of a type found, as encoding/gob sees
// the type (Register'ed codecs aside: they apply only at the top level).
type typeCheck struct {
	prob   *problem // why no value of the type can be stored faithfully; nil if some can
	walk   bool     // the type can hold interfaces or cycles, so values must be walked
	fields []field  // for a struct that walks: the fields gob sends that may need it
}

// field is a struct field that a value walk visits.
type field struct {
	index int
	typ   reflect.Type
	name  string
}

var (
	checks sync.Map // reflect.Type -> *typeCheck, computed once per type

	leaf      = &typeCheck{}           // faithful, nothing to walk
	needsWalk = &typeCheck{walk: true} // an interface, or a type met again while checking it
)

// checkType returns the cached static check of t, computing it on first
// use. Only a check computed for t itself is cached: a type's check found
// while checking another may be partial, if it refers back to that other.
func checkType(t reflect.Type) *typeCheck {
	if c, ok := checks.Load(t); ok {
		return c.(*typeCheck)
	}
	tc := typeChecker{done: map[reflect.Type]*typeCheck{}, active: map[reflect.Type]bool{}}
	c, _ := checks.LoadOrStore(t, tc.check(t))
	return c.(*typeCheck)
}

// typeChecker checks one type, depth first. A type met again while it is
// being checked (a recursive type) passes on the inner visit: its check
// goes on on the outer one. So the outer type's result is exact, though
// that of a type inside the recursion may miss problems of its ancestors;
// which is why only the outermost result is cached.
type typeChecker struct {
	done   map[reflect.Type]*typeCheck
	active map[reflect.Type]bool
}

func (tc *typeChecker) check(t reflect.Type) *typeCheck {
	if c := tc.done[t]; c != nil {
		return c
	}
	if tc.active[t] {
		return needsWalk // a recursive type: its values can be cyclic
	}
	tc.active[t] = true
	c := tc.analyze(t)
	delete(tc.active, t)
	tc.done[t] = c
	return c
}

func (tc *typeChecker) analyze(t reflect.Type) *typeCheck {
	if c, ok := checkMethods(t); ok {
		return c
	}
	switch t.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return &typeCheck{prob: &problem{at: t, what: "a " + t.Kind().String() + " cannot be stored",
			fix: "leave it out of the value, or implement encoding.BinaryMarshaler and encoding.BinaryUnmarshaler on a type that holds it"}}
	case reflect.Interface:
		return needsWalk
	case reflect.Pointer:
		if recursivePointer(t) {
			return &typeCheck{prob: &problem{at: t, what: "a recursive pointer type, which gob cannot encode",
				fix: "point to a struct that holds the pointer instead"}}
		}
		return tc.check(t.Elem())
	case reflect.Slice, reflect.Array:
		return tc.check(t.Elem()).under("[...]")
	case reflect.Map:
		k := tc.check(t.Key()).under("[key]")
		if k.prob != nil {
			return k
		}
		v := tc.check(t.Elem()).under("[...]")
		if v.prob != nil || k.walk == v.walk {
			return v
		}
		return needsWalk
	case reflect.Struct:
		return tc.structType(t)
	}
	return leaf // booleans, numbers, strings
}

// structType checks t's fields as gob sends them: exported ones, except
// funcs and chans (and pointers to them), which gob drops as it drops
// unexported ones; blank (_) fields hold nothing and are skipped.
func (tc *typeChecker) structType(t reflect.Type) *typeCheck {
	methods := "encoding.BinaryMarshaler and encoding.BinaryUnmarshaler, or gob.GobEncoder and gob.GobDecoder, on " + t.String()
	c := &typeCheck{}
	sent := 0
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name == "_" {
			continue
		}
		if !f.IsExported() {
			p := &problem{at: t, what: "unexported field, which gob drops", fix: "export the field, or implement " + methods}
			if f.Anonymous {
				p.what = "embedded field of unexported type, which gob drops with all its fields"
				p.fix = "export the embedded type, or implement " + methods
			}
			return &typeCheck{prob: p.under("." + f.Name)}
		}
		base := f.Type
		for i := 0; base.Kind() == reflect.Pointer && i < 100; i++ { // a recursive pointer type loops
			base = base.Elem()
		}
		if k := base.Kind(); k == reflect.Func || k == reflect.Chan {
			p := &problem{at: t, what: k.String() + " field, which gob drops", fix: "leave the field out of values you store, or implement " + methods}
			return &typeCheck{prob: p.under("." + f.Name)}
		}
		sent++
		fc := tc.check(f.Type)
		if fc.prob != nil {
			return &typeCheck{prob: fc.prob.under("." + f.Name)}
		}
		if fc.walk {
			c.walk = true
			c.fields = append(c.fields, field{i, f.Type, f.Name})
		}
	}
	if sent == 0 && t.NumField() > 0 {
		return &typeCheck{prob: &problem{at: t, what: "only blank (_) fields, and gob refuses a struct with no exported fields",
			fix: "give it an exported field, or implement " + methods}}
	}
	if !c.walk {
		return leaf
	}
	return c
}

// under returns c seen from one step further out: the same check with the
// step added to its problem's path.
func (c *typeCheck) under(step string) *typeCheck {
	if c.prob == nil {
		if c.walk {
			return needsWalk
		}
		return leaf
	}
	return &typeCheck{prob: c.prob.under(step)}
}

// recursivePointer reports whether t is a pointer type whose chain of
// pointers loops (type P *P), which gob refuses.
func recursivePointer(t reflect.Type) bool {
	slow := t
	for i := 0; t.Kind() == reflect.Pointer; i++ {
		t = t.Elem()
		if t == slow {
			return true
		}
		if i%2 == 1 {
			slow = slow.Elem()
		}
	}
	return false
}

var (
	gobEncoderType        = reflect.TypeFor[gob.GobEncoder]()
	gobDecoderType        = reflect.TypeFor[gob.GobDecoder]()
	binaryUnmarshalerType = reflect.TypeFor[encoding.BinaryUnmarshaler]()
)

// How gob encodes or decodes a type: field by field, or with a method.
const (
	byFields = iota
	byGob    // GobEncode, GobDecode
	byBinary // MarshalBinary, UnmarshalBinary
)

// checkMethods checks a type that gob encodes or decodes with methods,
// which it chooses as encoding/gob does: GobEncoder before
// BinaryMarshaler, on t, on what t points to, or on *t (TextMarshaler is
// not used). Such a type is faithful when gob reads it back with the
// method that matches the one it wrote it with; ok is false for a type
// that has neither.
func checkMethods(t reflect.Type) (c *typeCheck, ok bool) {
	if t.Kind() == reflect.Interface {
		return nil, false
	}
	enc, dec := byFields, byFields
	switch {
	case gobImplements(t, gobEncoderType):
		enc = byGob
	case gobImplements(t, binaryMarshalerType):
		enc = byBinary
	}
	switch {
	case gobImplements(t, gobDecoderType):
		dec = byGob
	case gobImplements(t, binaryUnmarshalerType):
		dec = byBinary
	}
	if enc == dec {
		return leaf, enc != byFields
	}
	names := [...][2]string{byGob: {"gob.GobEncoder", "gob.GobDecoder"}, byBinary: {"encoding.BinaryMarshaler", "encoding.BinaryUnmarshaler"}}
	methods := [...][2]string{byGob: {"GobEncode", "GobDecode"}, byBinary: {"MarshalBinary", "UnmarshalBinary"}}
	p := &problem{at: t}
	if enc != byFields {
		p.what = "implements " + names[enc][0] + " but not " + names[enc][1] + ", so gob could write it but not read it back"
		p.fix = "implement " + methods[enc][1] + " on *" + t.String()
	} else {
		p.what = "implements " + names[dec][1] + " but not " + names[dec][0] + ", so gob would write its fields and then fail to read them"
		p.fix = "implement " + methods[dec][0] + " on " + t.String()
	}
	return &typeCheck{prob: p}, true
}

// gobImplements reports whether gob finds the method set iface on t, as
// encoding/gob's implementsInterface does: on t or on what it points to,
// at any depth, or else on *t.
func gobImplements(t, iface reflect.Type) bool {
	rt := t
	for range 100 { // gob's own limit on indirections
		if rt.Implements(iface) {
			return true
		}
		if rt.Kind() != reflect.Pointer {
			break
		}
		rt = rt.Elem()
	}
	return t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface)
}
