package codec

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"reflect"
)

// marshalGob encodes rv, which has passed checkValue, as one
// self-describing encoding/gob stream. What can still fail here is not a
// type's shape but a value's content: an error from a GobEncode or
// MarshalBinary method, a nil pointer as an element of a slice or map, a
// method with a pointer receiver on a value gob cannot take the address
// of.
func marshalGob(rv reflect.Value) (ID, []byte, error) {
	var buf bytes.Buffer
	err := safeCall("gob encoder", func() error { return gob.NewEncoder(&buf).EncodeValue(rv) })
	if err != nil {
		return Invalid, nil, fmt.Errorf("codec: cannot encode %v with gob: %w", rv.Type(), err)
	}
	return Gob, buf.Bytes(), nil
}

// unmarshalGob decodes a gob stream into a new value of type typ.
//
// The stream's message framing is checked first, since encoding/gob
// allocates up to 10 MB for a message length before reading the message.
// Then the stream is decoded twice. The first pass discards the value, which
// makes encoding/gob walk every element without allocating for it, so a
// stream whose counts claim more elements than it holds fails there. Only
// then is the value decoded for real: a map's size hint, which gob would
// otherwise trust (an 11-byte stream can ask for gigabytes), is by then
// known to be backed by that many encoded entries. One gap remains: the
// first pass skips the contents of interface-typed fields (gob delimits them
// by length) without walking them, so a map inside a value stored in an
// interface field is still pre-sized from its encoded count. Reaching it
// needs a gob.Register'ed concrete type that holds a map.
func unmarshalGob(data []byte, typ reflect.Type) (any, error) {
	if typ == nil {
		return nil, fmt.Errorf("%w: Gob data needs a concrete type to decode into, and typ is nil", ErrTypeMismatch)
	}
	if typ.Kind() == reflect.Interface {
		return nil, fmt.Errorf("%w: Gob data needs a concrete type to decode into, not the interface %v", ErrTypeMismatch, typ)
	}
	if p := checkType(typ).prob; p != nil {
		return nil, fmt.Errorf("%w; refusing Gob data for it (an older cairn stored such values without complaint, and without what gob dropped)", p.err(typ))
	}
	if err := checkGobFraming(data); err != nil {
		return nil, err
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
	if typ.Kind() == reflect.Slice && p.Elem().IsNil() {
		// gob decodes an empty slice as nil; Marshal gives a nil slice the
		// Nil codec, so Gob data for a slice type is an empty slice.
		p.Elem().Set(reflect.MakeSlice(typ, 0, 0))
	}
	return p.Elem().Interface(), nil
}

// checkGobFraming checks that data is a sequence of gob messages, each a
// length in gob's unsigned-integer encoding followed by that many bytes,
// that exactly fills data.
func checkGobFraming(data []byte) error {
	for off := 0; off < len(data); {
		b := data[off]
		off++
		n := uint64(b)
		if b >= 0x80 { // a negated byte count, then the count's bytes big-endian
			k := 256 - int(b)
			if k > 8 || k > len(data)-off {
				return corruptf(Gob, "truncated message length at offset %d", off-1)
			}
			n = 0
			for _, c := range data[off : off+k] {
				n = n<<8 | uint64(c)
			}
			off += k
		}
		if n == 0 || n > uint64(len(data)-off) {
			return corruptf(Gob, "message length %d at offset %d exceeds the %d bytes that remain", n, off, len(data)-off)
		}
		off += int(n)
	}
	return nil
}
