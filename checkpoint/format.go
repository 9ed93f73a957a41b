package checkpoint

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/cairnlabs/cairn/codec"
)

// The frame: every checkpoint, in every store and in files written by
// WriteFile, is one frame. All integers are little-endian.
//
//	offset  size  field
//	0       4     magic "CRN\x1a"
//	4       1     format version, 1
//	5       1     codec id (codec.ID) of the payload's encoding
//	6       1     compression of the payload: 0 none, 1 zstd
//	7       1     flags, 0 (no flag is defined; a set flag is rejected)
//	8       4     meta length M, at most 1 MiB
//	12      4     reserved, 0
//	16      8     payload length P: the bytes stored after the padding
//	24      8     raw length: P before compression (equals P when none)
//	32      8     payload checksum: XXH3-64 of the P payload bytes
//	40      8     header checksum: XXH3-64 of bytes 0..40 followed by the meta
//	48      M     meta (see below)
//	48+M    0..7  zero padding to the next multiple of 8
//	align8(48+M)  P  payload
//
// The frame ends exactly at the payload's end; a frame with bytes missing or
// to spare is corrupt. The payload starts at an offset that is a multiple of
// 8, so that a raw []float64 payload can be decoded in place from a buffer
// that is itself 8-byte aligned (every Go allocation of 8 bytes or more is).
//
// The meta is a sequence of fields, each a uvarint length and that many bytes
// for the strings Key, Thunk, Func, Version and Run, then Created as a varint
// of Unix nanoseconds (0 for the zero time). A reader ignores bytes after the
// fields it knows, so that fields can be added without a new version. The
// header checksum lets Stat trust the header and meta without reading the
// payload; Get and Verify check both checksums.
//
// A reader rejects any other magic or version with a *CorruptError (the
// version error also wraps ErrUnknownVersion), and refuses every length
// larger than the bytes that remain, so that no hostile or damaged frame
// makes it allocate more than the frame's own size (zstd payloads: more than
// their recorded raw length).
const (
	frameMagic      = "CRN\x1a"
	frameVersion    = 1
	headerSize      = 48
	maxMetaSize     = 1 << 20
	compressNone    = 0
	compressZstd    = 1
	payloadChecksum = 32
	headerChecksum  = 40
)

// header is the decoded fixed part of a frame.
type header struct {
	codec      codec.ID
	compressed bool
	metaLen    int
	payloadLen uint64
	rawLen     uint64
	payloadSum uint64
}

// payloadOffset returns where the payload of a frame with this header starts.
func (h *header) payloadOffset() int { return align8(headerSize + h.metaLen) }

// align8 rounds n up to a multiple of 8.
func align8(n int) int { return (n + 7) &^ 7 }

// encodeHead returns the frame's bytes before the payload: header, meta and
// padding.
func encodeHead(h *header, meta []byte) []byte {
	b := make([]byte, align8(headerSize+len(meta)))
	copy(b, frameMagic)
	b[4] = frameVersion
	b[5] = byte(h.codec)
	if h.compressed {
		b[6] = compressZstd
	}
	binary.LittleEndian.PutUint32(b[8:], uint32(len(meta)))
	binary.LittleEndian.PutUint64(b[16:], h.payloadLen)
	binary.LittleEndian.PutUint64(b[24:], h.rawLen)
	binary.LittleEndian.PutUint64(b[payloadChecksum:], h.payloadSum)
	copy(b[headerSize:], meta)
	binary.LittleEndian.PutUint64(b[headerChecksum:], headSum(b[:headerChecksum], meta))
	return b
}

// headSum is the header checksum over the first 40 bytes and the meta.
func headSum(fixed, meta []byte) uint64 {
	var h xxh3.Hasher
	h.Write(fixed)
	h.Write(meta)
	return h.Sum64()
}

// decodeHead checks and decodes the header and meta at the start of b, which
// may hold the whole frame or only its beginning (see headLen).
func decodeHead(b []byte) (header, Meta, error) {
	var h header
	if len(b) < headerSize {
		n := min(len(b), len(frameMagic))
		if string(b[:n]) != frameMagic[:n] {
			return h, Meta{}, corruptf(nil, "not a cairn checkpoint (magic %q, want %q)", b[:n], frameMagic)
		}
		return h, Meta{}, corruptf(nil, "frame is %d bytes, shorter than its %d-byte header (truncated write?)", len(b), headerSize)
	}
	if string(b[:len(frameMagic)]) != frameMagic {
		return h, Meta{}, corruptf(nil, "not a cairn checkpoint (magic %q, want %q)", b[:len(frameMagic)], frameMagic)
	}
	if v := b[4]; v != frameVersion {
		return h, Meta{}, corruptf(ErrUnknownVersion, "frame format version %d is unknown to this build, which reads version %d: written by a newer cairn (upgrade) or damaged", v, frameVersion)
	}
	h.metaLen = int(binary.LittleEndian.Uint32(b[8:]))
	if h.metaLen > maxMetaSize {
		return h, Meta{}, corruptf(nil, "meta length %d exceeds the %d-byte limit", h.metaLen, maxMetaSize)
	}
	if len(b) < headerSize+h.metaLen {
		return h, Meta{}, corruptf(nil, "frame is %d bytes, shorter than its header and %d-byte meta", len(b), h.metaLen)
	}
	meta := b[headerSize : headerSize+h.metaLen]
	if got, want := headSum(b[:headerChecksum], meta), binary.LittleEndian.Uint64(b[headerChecksum:]); got != want {
		return h, Meta{}, corruptf(nil, "header checksum mismatch (stored %#016x, computed %#016x)", want, got)
	}
	h.codec = codec.ID(b[5])
	switch b[6] {
	case compressNone:
	case compressZstd:
		h.compressed = true
	default:
		return h, Meta{}, corruptf(nil, "unknown compression %d", b[6])
	}
	if b[7] != 0 {
		return h, Meta{}, corruptf(nil, "unknown flags %#02x", b[7])
	}
	if r := binary.LittleEndian.Uint32(b[12:]); r != 0 {
		return h, Meta{}, corruptf(nil, "reserved header field is %#x, want 0", r)
	}
	h.payloadLen = binary.LittleEndian.Uint64(b[16:])
	h.rawLen = binary.LittleEndian.Uint64(b[24:])
	h.payloadSum = binary.LittleEndian.Uint64(b[payloadChecksum:])
	if !h.compressed && h.rawLen != h.payloadLen {
		return h, Meta{}, corruptf(nil, "raw length %d differs from payload length %d of an uncompressed payload", h.rawLen, h.payloadLen)
	}
	m, err := decodeMeta(meta)
	if err != nil {
		return h, Meta{}, err
	}
	return h, m, nil
}

// headLen returns how many bytes of a frame that starts with b decodeHead
// needs: the header and the meta. It returns headerSize when b is shorter
// than that, and never more than headerSize+maxMetaSize.
func headLen(b []byte) int {
	if len(b) < headerSize {
		return headerSize
	}
	return headerSize + min(int(binary.LittleEndian.Uint32(b[8:])), maxMetaSize)
}

// checkSize reports whether a frame of total bytes ends where h says the
// payload ends.
func (h *header) checkSize(total int64) error {
	off := int64(h.payloadOffset())
	if total < off || uint64(total-off) != h.payloadLen {
		return corruptf(nil, "frame is %d bytes, but its header says %d (torn or truncated write?)", total, uint64(off)+h.payloadLen)
	}
	return nil
}

// decodeFrame checks a whole frame and returns its header, meta and stored
// (possibly compressed) payload, which aliases b.
func decodeFrame(b []byte) (header, Meta, []byte, error) {
	h, m, err := decodeHead(b)
	if err != nil {
		return h, m, nil, err
	}
	if err := h.checkSize(int64(len(b))); err != nil {
		return h, m, nil, err
	}
	off := h.payloadOffset()
	for _, c := range b[headerSize+h.metaLen : off] {
		if c != 0 {
			return h, m, nil, corruptf(nil, "padding after the meta is not zero")
		}
	}
	payload := b[off:]
	if got := xxh3.Hash(payload); got != h.payloadSum {
		return h, m, nil, corruptf(nil, "payload checksum mismatch (stored %#016x, computed %#016x)", h.payloadSum, got)
	}
	return h, m, payload, nil
}

// encodeMeta returns m in the frame's meta encoding.
func encodeMeta(m *Meta) ([]byte, error) {
	n := 0
	for _, s := range []string{m.Key, m.Thunk, m.Func, m.Version, m.Run} {
		n += binary.MaxVarintLen64 + len(s)
	}
	if n > maxMetaSize {
		return nil, fmt.Errorf("checkpoint: meta of key %q is %d bytes, over the %d-byte limit: shorten its Thunk, Func, Version or Run", m.Key, n, maxMetaSize)
	}
	b := make([]byte, 0, n+binary.MaxVarintLen64)
	for _, s := range []string{m.Key, m.Thunk, m.Func, m.Version, m.Run} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	var ns int64
	if !m.Created.IsZero() {
		ns = m.Created.UnixNano()
	}
	return binary.AppendVarint(b, ns), nil
}

// decodeMeta decodes the frame's meta encoding.
func decodeMeta(b []byte) (Meta, error) {
	var m Meta
	for _, s := range []*string{&m.Key, &m.Thunk, &m.Func, &m.Version, &m.Run} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return Meta{}, corruptf(nil, "meta field length is malformed or exceeds the meta")
		}
		*s = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	ns, k := binary.Varint(b)
	if k <= 0 {
		return Meta{}, corruptf(nil, "meta creation time is malformed")
	}
	if ns != 0 {
		m.Created = time.Unix(0, ns)
	}
	return m, nil
}
