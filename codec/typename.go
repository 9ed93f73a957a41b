package codec

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
)

var typeNames sync.Map // reflect.Type -> string

// typeName returns a canonical name for t that, unlike t.String(), names
// packages by their full import path, so that types named alike in
// different packages differ.
func typeName(t reflect.Type) string {
	if n, ok := typeNames.Load(t); ok {
		return n.(string)
	}
	var b strings.Builder
	writeTypeName(&b, t)
	n := b.String()
	typeNames.Store(t, n)
	return n
}

func writeTypeName(b *strings.Builder, t reflect.Type) {
	if t.Name() != "" {
		if p := t.PkgPath(); p != "" {
			b.WriteString(p)
			b.WriteByte('.')
		}
		b.WriteString(t.Name())
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		b.WriteByte('*')
		writeTypeName(b, t.Elem())
	case reflect.Slice:
		b.WriteString("[]")
		writeTypeName(b, t.Elem())
	case reflect.Array:
		b.WriteString("[" + strconv.Itoa(t.Len()) + "]")
		writeTypeName(b, t.Elem())
	case reflect.Map:
		b.WriteString("map[")
		writeTypeName(b, t.Key())
		b.WriteByte(']')
		writeTypeName(b, t.Elem())
	case reflect.Chan:
		b.WriteString(t.ChanDir().String() + " ")
		writeTypeName(b, t.Elem())
	case reflect.Struct:
		b.WriteString("struct {")
		for i := range t.NumField() {
			f := t.Field(i)
			if i > 0 {
				b.WriteString(";")
			}
			b.WriteByte(' ')
			if f.PkgPath != "" { // unexported: the name is scoped to its package
				b.WriteString(f.PkgPath + ".")
			}
			if f.Anonymous {
				b.WriteString("embedded ")
			}
			b.WriteString(f.Name + " ")
			writeTypeName(b, f.Type)
			if f.Tag != "" {
				b.WriteString(" " + strconv.Quote(string(f.Tag)))
			}
		}
		b.WriteString(" }")
	case reflect.Func:
		b.WriteString("func(")
		for i := range t.NumIn() {
			if i > 0 {
				b.WriteString(", ")
			}
			if t.IsVariadic() && i == t.NumIn()-1 {
				b.WriteString("...")
				writeTypeName(b, t.In(i).Elem())
				continue
			}
			writeTypeName(b, t.In(i))
		}
		b.WriteString(") (")
		for i := range t.NumOut() {
			if i > 0 {
				b.WriteString(", ")
			}
			writeTypeName(b, t.Out(i))
		}
		b.WriteString(")")
	default: // unnamed interfaces; method names are package-scoped only when unexported
		b.WriteString(t.String())
	}
}
