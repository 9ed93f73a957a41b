package codec

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"reflect"
)

// marshalGob encodes rv as one self-describing encoding/gob stream. Types
// with interface-typed fields need their concrete types gob.Register'ed, as
// usual for gob.
func marshalGob(rv reflect.Value) (ID, []byte, error) {
	var buf bytes.Buffer
	err := safeCall("gob encoder", func() error { return gob.NewEncoder(&buf).EncodeValue(rv) })
	if err != nil {
		return Invalid, nil, fmt.Errorf("codec: cannot encode %v with gob (export its fields, or add a raw codec with codec.Register): %w", rv.Type(), err)
	}
	return Gob, buf.Bytes(), nil
}

// unmarshalGob decodes a gob stream into a new value of type typ.
//
// The stream is decoded twice. The first pass discards the value, which
// makes encoding/gob walk every element without allocating for it, so a
// stream whose counts claim more elements than it holds fails there. Only
// then is the value decoded for real: a map's size hint, which gob would
// otherwise trust (an 11-byte stream can ask for gigabytes), is by then
// known to be backed by that many encoded entries.
func unmarshalGob(data []byte, typ reflect.Type) (any, error) {
	if typ == nil {
		return nil, fmt.Errorf("%w: Gob data needs a concrete type to decode into, and typ is nil", ErrTypeMismatch)
	}
	if typ.Kind() == reflect.Interface {
		return nil, fmt.Errorf("%w: Gob data needs a concrete type to decode into, not the interface %v", ErrTypeMismatch, typ)
	}
	r := bytes.NewReader(data)
	err := safeCall("gob decoder", func() error { return gob.NewDecoder(r).DecodeValue(reflect.Value{}) })
	if err != nil {
		return nil, fmt.Errorf("%w: Gob: %w", ErrCorrupt, err)
	}
	if r.Len() != 0 {
		return nil, corruptf(Gob, "%d trailing bytes after the value", r.Len())
	}
	p := reflect.New(typ)
	err = safeCall("gob decoder", func() error { return gob.NewDecoder(bytes.NewReader(data)).DecodeValue(p) })
	if err != nil {
		return nil, fmt.Errorf("%w: Gob into %v: %w", ErrCorrupt, typ, err)
	}
	return p.Elem().Interface(), nil
}
