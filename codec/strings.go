package codec

import (
	"encoding/binary"
	"unsafe"
)

// encodeStrings encodes a []string as a uvarint count followed, for each
// string, by its uvarint length and its bytes.
func encodeStrings(s []string) []byte {
	n := binary.MaxVarintLen64
	for _, x := range s {
		n += binary.MaxVarintLen64 + len(x)
	}
	out := make([]byte, 0, n)
	out = binary.AppendUvarint(out, uint64(len(s)))
	for _, x := range s {
		out = binary.AppendUvarint(out, uint64(len(x)))
		out = append(out, x...)
	}
	return out
}

// decodeStrings reverses encodeStrings. Every length is checked against the
// bytes that remain before anything is allocated: the count cannot exceed
// the remaining bytes (each string needs at least its length byte), so the
// result costs at most 16 bytes of string headers per input byte, plus one
// copy of the input that all the strings share.
func decodeStrings(data []byte) ([]string, error) {
	count, rest, err := uvarint(Strings, data)
	if err != nil {
		return nil, err
	}
	if count > uint64(len(rest)) {
		return nil, corruptf(Strings, "count %d exceeds the %d bytes that remain", count, len(rest))
	}
	// One copy of the input backs every string.
	var all string
	if len(rest) > 0 {
		c := append([]byte(nil), rest...)
		all = unsafe.String(unsafe.SliceData(c), len(c))
	}
	out := make([]string, count)
	off := 0
	for i := range out {
		n, tail, err := uvarint(Strings, rest[off:])
		if err != nil {
			return nil, err
		}
		off = len(rest) - len(tail)
		if n > uint64(len(tail)) {
			return nil, corruptf(Strings, "string %d claims %d bytes but %d remain", i, n, len(tail))
		}
		out[i] = all[off : off+int(n)]
		off += int(n)
	}
	if off != len(rest) {
		return nil, corruptf(Strings, "%d trailing bytes after %d strings", len(rest)-off, count)
	}
	return out, nil
}

// uvarint reads one minimally encoded uvarint, so that every payload has
// exactly one encoding.
func uvarint(id ID, b []byte) (uint64, []byte, error) {
	x, n := binary.Uvarint(b)
	switch {
	case n == 0:
		return 0, nil, corruptf(id, "truncated length")
	case n < 0:
		return 0, nil, corruptf(id, "length overflows 64 bits")
	case n > 1 && b[n-1] == 0:
		return 0, nil, corruptf(id, "length is not minimally encoded")
	}
	return x, b[n:], nil
}
