package filestore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"

	"github.com/cairnlabs/cairn/checkpoint"
)

// A pack file is a sequence of records, appended by one Driver and never
// changed in place. A record is a 28-byte header, the key, then the data:
//
//	[0:4]   magic "ckp2"
//	[4]     kind (recPut, recDelete, recTouch, recSeal)
//	[5]     zero
//	[6:8]   key length, little endian
//	[8:12]  data length
//	[12:20] time in Unix nanoseconds: the version of a put or delete, the
//	        time given to a touch
//	[20:24] CRC-32C of bytes [0:20] and the key: the header check
//	[24:28] CRC-32C of bytes [4], [6:8], [12:20] and the key: the identity
//	        check, of what the record is (kind, key and version) without
//	        where its data lies
//
// The data of a put is the entry's bytes, which the checkpoint Store already
// frames with their own checksum; the data of a touch is the version (the
// time of the put) it touched, 8 bytes little endian, so that it sets the
// ModTime of that version only, whichever pack is read first; the header
// check guards what the index is built from. (A touch without data touches
// whatever version is indexed when it is read.)
//
// The identity check is what lets damage be attributed: a record whose
// header check fails but whose identity check holds is known to be a put
// (or delete, touch, seal) of its key at its version, though where its data
// lies is not.
//
// Packs of the first format, ~packs/*.pack, hold records whose header ends
// at [24] and whose magic is "ckp1": they have no identity check, and are
// still read. Packs of this format are named *.pack2, so that a cairn that
// knows only the first neither reads them (as damage) nor removes them (as
// dead).
const (
	recHeaderSize   = 28
	recHeaderSizeV1 = 24
	recMagic        = "ckp2"
	recMagicV1      = "ckp1"
)

// Record kinds.
const (
	recPut    byte = 1 // an entry's bytes
	recDelete byte = 2 // the key is deleted as of the record's time
	recTouch  byte = 3 // the key's entry was read at the record's time
	recSeal   byte = 4 // the writer closed the pack: nothing follows
)

// What readRecord makes of the bytes of a record.
const (
	// recIntact: both checks hold.
	recIntact = iota
	// recFlawed: the identity check fails and the header check holds, so
	// the damage is in the identity check's own bytes: the record is read
	// as an intact one, and reported.
	recFlawed
	// recDamaged: the header check fails and the identity check holds:
	// the record's kind, key and time are known; its data length, and so
	// its data and where the next record starts, are not.
	recDamaged
	// recUnreadable: no check holds (or a first-format record's header
	// check fails): nothing of the record is known, its key least of all.
	recUnreadable
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errRecord marks bytes that do not (yet) hold a whole record: the end of
// what a writer has written so far, or the tail a crash cut off.
var errRecord = errors.New("not a complete record")

// errDamaged marks a whole record that fails its checks: damage, since a
// writer's bytes are complete below the file's size.
var errDamaged = errors.New("damaged record")

// errKeyCut marks a record whose key runs past the end: a record still
// being written, or a damaged key length, which a record after it shows.
var errKeyCut = errors.New("a record's key runs past the end")

// record is one decoded record header with its key.
type record struct {
	kind    byte
	key     string
	dataLen int64
	time    int64
	ver     int64 // a touch's version; 0 when it has none
	v1      bool  // of the first format: a header of recHeaderSizeV1 bytes
	state   int   // recIntact, recFlawed, recDamaged or recUnreadable
	// span is, for a damaged or unreadable record, the bytes from its
	// start to the next record found after it (or to the end).
	span int64
}

// headerSize returns the size of the record's header.
func (r record) headerSize() int64 {
	if r.v1 {
		return recHeaderSizeV1
	}
	return recHeaderSize
}

// size returns the size of the whole record, as its header says.
func (r record) size() int64 { return r.headerSize() + int64(len(r.key)) + r.dataLen }

// appendRecord appends the encoding of a record with the given data.
func appendRecord(b []byte, kind byte, key string, t int64, data []byte) []byte {
	var h [recHeaderSize]byte
	copy(h[0:4], recMagic)
	h[4] = kind
	binary.LittleEndian.PutUint16(h[6:8], uint16(len(key)))
	binary.LittleEndian.PutUint32(h[8:12], uint32(len(data)))
	binary.LittleEndian.PutUint64(h[12:20], uint64(t))
	binary.LittleEndian.PutUint32(h[20:24], headerCRC(h[:], []byte(key)))
	binary.LittleEndian.PutUint32(h[24:28], identityCRC(h[:], []byte(key)))
	b = append(b, h[:]...)
	b = append(b, key...)
	return append(b, data...)
}

// headerCRC returns the header check of header h and key.
func headerCRC(h, key []byte) uint32 {
	return crc32.Update(crc32.Checksum(h[0:20], crcTable), crcTable, key)
}

// identityCRC returns the identity check of header h and key: its kind,
// key length, time and key.
func identityCRC(h, key []byte) uint32 {
	// The parts are checksummed in place: a copy to the stack would
	// escape to the heap through crc32's function values, and a store's
	// first read checks every record.
	c := crc32.Update(0, crcTable, h[4:5])
	c = crc32.Update(c, crcTable, h[6:8])
	c = crc32.Update(c, crcTable, h[12:20])
	return crc32.Update(c, crcTable, key)
}

// readRecord reads the record at the start of r: its header and key, and
// skips its data. It returns io.EOF at a clean end and errRecord for an
// incomplete record (errKeyCut when the key is what runs past the end). An
// intact or flawed record comes with a nil error; a damaged or unreadable
// one with errDamaged, and with its kind, key and time when it is damaged
// (rec.state says which).
func readRecord(r *bufio.Reader) (record, error) {
	n := recHeaderSize
	if m, _ := r.Peek(len(recMagicV1)); string(m) == recMagicV1 {
		n = recHeaderSizeV1
	} // a damaged magic is read as this format's: the one written now
	// The header and key are read in place, in the reader's buffer
	// (decodeRecord copies what it keeps): a store's first read scans every
	// record of every pack. The buffer holds a header and a longest key
	// (the record reader's holds all that is left to read).
	h, err := r.Peek(n)
	if len(h) < n {
		if len(h) == 0 && err == io.EOF {
			return record{}, io.EOF
		}
		return record{}, errRecord // cut short, or a read error
	}
	keyLen := int(binary.LittleEndian.Uint16(h[6:8]))
	if keyLen > checkpoint.MaxKeyLen {
		// No record has a longer key: damage, not a record still being
		// written (reading on would take the next records as its key).
		r.Discard(n)
		return record{state: recUnreadable}, errDamaged
	}
	hk, err := r.Peek(n + keyLen)
	if len(hk) < n+keyLen {
		r.Discard(n)
		return record{}, errKeyCut
	}
	rec := decodeRecord(hk[:n], hk[n:])
	r.Discard(n + keyLen)
	switch rec.state {
	case recDamaged, recUnreadable:
		return rec, errDamaged
	}
	if rec.kind == recTouch && rec.dataLen == 8 {
		v, err := r.Peek(8)
		if err != nil {
			return record{}, errRecord
		}
		rec.ver = int64(binary.LittleEndian.Uint64(v))
		r.Discard(8)
		return rec, nil
	}
	if n, err := r.Discard(int(rec.dataLen)); err != nil || int64(n) != rec.dataLen {
		return record{}, errRecord
	}
	return rec, nil
}

// decodeRecord decodes the header h of a record (recHeaderSize bytes, of
// which a first-format record uses recHeaderSizeV1) and its key, and checks
// them. A damaged record has no data length; an unreadable one has
// nothing but its state.
func decodeRecord(h, key []byte) record {
	v1 := string(h[0:4]) == recMagicV1
	headerOK := (v1 || string(h[0:4]) == recMagic) && h[5] == 0 &&
		headerCRC(h, key) == binary.LittleEndian.Uint32(h[20:24])
	identityOK := !v1 && identityCRC(h, key) == binary.LittleEndian.Uint32(h[24:28])
	kind := h[4]
	if !headerOK && !identityOK || kind < recPut || kind > recSeal {
		return record{state: recUnreadable}
	}
	k := string(key)
	// A key from disk must be one a Store could have given: never a path
	// outside the directory.
	if kind != recSeal && checkpoint.ValidateStoredKey(k) != nil {
		return record{state: recUnreadable}
	}
	rec := record{
		kind:    kind,
		key:     k,
		dataLen: int64(binary.LittleEndian.Uint32(h[8:12])),
		time:    int64(binary.LittleEndian.Uint64(h[12:20])),
		v1:      v1,
	}
	switch {
	case headerOK && (identityOK || v1):
		rec.state = recIntact
	case headerOK:
		rec.state = recFlawed
	default:
		rec.state, rec.dataLen = recDamaged, 0
	}
	return rec
}

// touchData returns the data of a touch of version ver.
func touchData(ver int64) []byte {
	return binary.LittleEndian.AppendUint64(nil, uint64(ver))
}
