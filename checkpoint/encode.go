package checkpoint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/zeebo/xxh3"

	"github.com/cairnlabs/cairn/codec"
)

// frame is an encoded checkpoint: head (header, meta, padding) then payload.
// The payload may alias the encoded value.
type frame struct {
	h       header
	head    []byte
	payload []byte
}

func (f *frame) size() int64 { return int64(len(f.head)) + int64(len(f.payload)) }

// smallFrame is the size under which reader copies a frame into one buffer,
// so that a driver writes it with one system call.
const smallFrame = 64 << 10

// reader returns the frame's bytes as a reader, without copying large
// payloads.
func (f *frame) reader() io.Reader {
	if len(f.payload) < smallFrame {
		return bytes.NewReader(append(f.head, f.payload...))
	}
	return io.MultiReader(bytes.NewReader(f.head), bytes.NewReader(f.payload))
}

// sampleSize is how much of a large payload is compressed first to see
// whether compressing all of it is worth the time.
const sampleSize = 128 << 10

// compressible reports whether zstd is likely to shrink raw by at least 5%,
// judged on a sample in the middle of it: random float64 data, say, does not
// compress, and trying costs several times the store's write throughput.
func compressible(raw []byte) bool {
	if len(raw) <= 4*sampleSize {
		return true
	}
	mid := len(raw)/2 - sampleSize/2
	sample := raw[mid : mid+sampleSize]
	c := encoder().EncodeAll(sample, make([]byte, 0, sampleSize))
	return len(c) < sampleSize*95/100
}

// encodeFrame encodes v and meta as a frame, zstd-compressing the payload if
// compress is set and that makes it smaller.
func encodeFrame(v any, meta *Meta, compress bool) (*frame, error) {
	id, raw, err := codec.Marshal(v)
	if err != nil {
		return nil, err
	}
	m, err := encodeMeta(meta)
	if err != nil {
		return nil, err
	}
	f := &frame{h: header{codec: id, rawLen: uint64(len(raw))}, payload: raw}
	if compress && len(raw) > 0 && compressible(raw) {
		if c := encoder().EncodeAll(raw, make([]byte, 0, len(raw)/2)); len(c) < len(raw) {
			f.payload, f.h.compressed = c, true
		}
	}
	f.h.payloadLen = uint64(len(f.payload))
	f.h.payloadSum = xxh3.Hash(f.payload)
	f.head = encodeHead(&f.h, m)
	return f, nil
}

// decodeValue checks the frame b and decodes its value as typ. The value may
// alias b.
func decodeValue(b []byte, typ reflect.Type, key string) (any, Info, error) {
	h, m, payload, err := decodeFrame(b)
	if err != nil {
		return nil, Info{}, err
	}
	raw := payload
	if h.compressed {
		if raw, err = decompress(payload, h.rawLen); err != nil {
			return nil, Info{}, err
		}
	}
	v, err := codec.Unmarshal(h.codec, raw, typ)
	if err != nil {
		if errors.Is(err, codec.ErrCorrupt) {
			return nil, Info{}, &CorruptError{Reason: fmt.Sprintf("payload does not decode: %v", err), Err: err}
		}
		return nil, Info{}, fmt.Errorf("checkpoint: decode %q: %w", key, err)
	}
	return v, Info{Meta: m, Size: int64(len(b)), Codec: h.codec, Compressed: h.compressed}, nil
}

var (
	encoder = sync.OnceValue(func() *zstd.Encoder {
		e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault))
		if err != nil {
			panic("checkpoint: zstd encoder: " + err.Error()) // only for invalid options
		}
		return e
	})
	decoder = sync.OnceValue(func() *zstd.Decoder {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecodeAllCapLimit(true))
		if err != nil {
			panic("checkpoint: zstd decoder: " + err.Error()) // only for invalid options
		}
		return d
	})
)

// decompress returns the zstd payload decompressed, which must be rawLen
// bytes.
func decompress(payload []byte, rawLen uint64) ([]byte, error) {
	// Trust rawLen for the first allocation only up to a bound, so that a
	// hostile frame cannot ask for an absurd one up front.
	// zstd expands at most ~32768x (RLE blocks); a larger claim is damage.
	if rawLen > 1<<16*uint64(len(payload)+64) {
		return nil, corruptf(nil, "raw length %d is implausible for a %d-byte zstd payload", rawLen, len(payload))
	}
	// With WithDecodeAllCapLimit, DecodeAll stops at cap: never more than rawLen.
	raw, err := decoder().DecodeAll(payload, make([]byte, 0, rawLen))
	if err != nil {
		return nil, corruptf(err, "zstd payload does not decompress: %v", err)
	}
	if uint64(len(raw)) != rawLen {
		return nil, corruptf(nil, "payload decompresses to %d bytes, header says %d", len(raw), rawLen)
	}
	return raw, nil
}
