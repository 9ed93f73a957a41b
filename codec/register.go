package codec

import (
	"fmt"
	"maps"
	"reflect"
	"sync"
	"sync/atomic"
)

// extension is a codec added with Register.
type extension struct {
	id        ID
	name      string
	typ       reflect.Type
	marshal   func(v any) (ID, []byte, error)
	unmarshal func(data []byte) (any, error)
	size      func(v any) int64 // RegisterSize's, or nil
}

// registry is replaced, never modified, so lookups need no lock.
type registry struct {
	byID   map[ID]*extension
	byType map[reflect.Type]*extension
	byName map[string]*extension
}

var (
	regMu sync.Mutex // serialises Register
	reg   atomic.Pointer[registry]
)

// Register adds a raw codec for the concrete type T under id, which must lie
// in MinExtension..MaxExtension; name is what id.String() returns. Marshal
// then uses enc for every value of exactly type T (a nil T, if T is a
// pointer, map or slice, still encodes as Nil), and Unmarshal uses dec for
// id, with T as the natural type.
//
// Register is meant for package init, like database/sql.Register: it panics
// if id is out of range or taken, if T or name is already registered, if T
// is an interface type or has a built-in codec, or if enc or dec is nil.
// It is safe to call concurrently with Marshal and Unmarshal.
//
// enc must be deterministic (equal values, equal bytes), because Fingerprint
// uses it too. dec receives ownership of its input and must not panic or
// allocate much more than its input's size on hostile data; a panic or an
// error from dec is reported as an error that wraps ErrCorrupt, and a panic
// or an error from enc as a Marshal error.
func Register[T any](id ID, name string, enc func(T) ([]byte, error), dec func([]byte) (T, error)) {
	t := reflect.TypeFor[T]()
	switch {
	case id < MinExtension:
		panic(fmt.Sprintf("codec: Register(%d, %q) for %v: IDs below %d are reserved for built-in codecs", id, name, t, MinExtension))
	case name == "":
		panic(fmt.Sprintf("codec: Register(%d) for %v: empty name", id, t))
	case enc == nil || dec == nil:
		panic(fmt.Sprintf("codec: Register(%d, %q) for %v: nil encoder or decoder", id, name, t))
	case t.Kind() == reflect.Interface:
		panic(fmt.Sprintf("codec: Register(%d, %q) for interface type %v: register a concrete type", id, name, t))
	}
	for bid, b := range builtins {
		if b.natural == t {
			panic(fmt.Sprintf("codec: Register(%d, %q) for %v: the type already has the built-in codec %v", id, name, t, ID(bid)))
		}
		if b.name == name || name == "Gob" || name == "Invalid" {
			panic(fmt.Sprintf("codec: Register(%d, %q) for %v: the name belongs to a built-in codec", id, name, t))
		}
	}

	e := &extension{id: id, name: name, typ: t}
	e.marshal = func(v any) (ID, []byte, error) {
		var b []byte
		err := safeCall(name+" encoder", func() (err error) {
			b, err = enc(v.(T))
			return err
		})
		if err != nil {
			return Invalid, nil, fmt.Errorf("codec: encode %v with %s: %w", t, name, err)
		}
		if b == nil {
			b = []byte{}
		}
		return id, b, nil
	}
	e.unmarshal = func(data []byte) (any, error) {
		var v T
		err := safeCall(name+" decoder", func() (err error) {
			v, err = dec(data)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
		}
		return v, nil
	}

	regMu.Lock()
	defer regMu.Unlock()
	old := reg.Load()
	if old == nil {
		old = &registry{}
	}
	if d := old.byID[id]; d != nil {
		panic(fmt.Sprintf("codec: Register(%d, %q) for %v: ID already registered as %q for %v", id, name, t, d.name, d.typ))
	}
	if d := old.byType[t]; d != nil {
		panic(fmt.Sprintf("codec: Register(%d, %q): %v is already registered as %q (ID %d)", id, name, t, d.name, d.id))
	}
	if d := old.byName[name]; d != nil {
		panic(fmt.Sprintf("codec: Register(%d, %q) for %v: name already registered for %v (ID %d)", id, name, t, d.typ, d.id))
	}
	r := &registry{byID: maps.Clone(old.byID), byType: maps.Clone(old.byType), byName: maps.Clone(old.byName)}
	if r.byID == nil {
		r.byID, r.byType, r.byName = map[ID]*extension{}, map[reflect.Type]*extension{}, map[string]*extension{}
	}
	r.byID[id], r.byType[t], r.byName[name] = e, e, e
	reg.Store(r)
}

// lookupID returns the extension registered under id, or nil.
func lookupID(id ID) *extension {
	if r := reg.Load(); r != nil {
		return r.byID[id]
	}
	return nil
}

// lookupType returns the extension registered for t, or nil.
func lookupType(t reflect.Type) *extension {
	if r := reg.Load(); r != nil {
		return r.byType[t]
	}
	return nil
}
