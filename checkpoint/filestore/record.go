package filestore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"

	"github.com/cairnlabs/cairn/checkpoint"
)

// A pack file is a sequence of records, appended by one Driver and never
// changed in place. A record is a 24-byte header, the key, then the data:
//
//	[0:4]   magic "ckp1"
//	[4]     kind (recPut, recDelete, recTouch, recSeal)
//	[5]     zero
//	[6:8]   key length, little endian
//	[8:12]  data length
//	[12:20] time in Unix nanoseconds: the version of a put or delete, the
//	        time given to a touch
//	[20:24] CRC-32C of bytes [0:20] and the key
//
// The data of a put is the entry's bytes, which the checkpoint Store already
// frames with their own checksum; the data of a touch is the version (the
// time of the put) it touched, 8 bytes little endian, so that it sets the
// ModTime of that version only, whichever pack is read first; the header
// checksum guards what the index is built from. (A touch without data
// touches whatever version is indexed when it is read.) A reader stops at the first record that is incomplete (a
// write in progress, or the tail a crash cut off) or whose header does not
// check out, and sees nothing after it.
const (
	recHeaderSize = 24
	recMagic      = "ckp1"
)

// Record kinds.
const (
	recPut    byte = 1 // an entry's bytes
	recDelete byte = 2 // the key is deleted as of the record's time
	recTouch  byte = 3 // the key's entry was read at the record's time
	recSeal   byte = 4 // the writer closed the pack: nothing follows
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errRecord marks bytes that do not (yet) hold a whole record: the end of
// what a writer has written so far, or the tail a crash cut off.
var errRecord = errors.New("not a complete record")

// errDamaged marks a whole record header that fails its checks: damage,
// since a writer's bytes are complete below the file's size.
var errDamaged = errors.New("damaged record")

// record is one decoded record header with its key.
type record struct {
	kind    byte
	key     string
	dataLen int64
	time    int64
	ver     int64 // a touch's version; 0 when it has none
}

// appendRecord appends the encoding of a record with the given data.
func appendRecord(b []byte, kind byte, key string, t int64, data []byte) []byte {
	var h [recHeaderSize]byte
	copy(h[0:4], recMagic)
	h[4] = kind
	binary.LittleEndian.PutUint16(h[6:8], uint16(len(key)))
	binary.LittleEndian.PutUint32(h[8:12], uint32(len(data)))
	binary.LittleEndian.PutUint64(h[12:20], uint64(t))
	crc := crc32.Update(crc32.Checksum(h[0:20], crcTable), crcTable, []byte(key))
	binary.LittleEndian.PutUint32(h[20:24], crc)
	b = append(b, h[:]...)
	b = append(b, key...)
	return append(b, data...)
}

// readRecord reads the next record's header and key from r and skips its
// data. It returns io.EOF at a clean end, errRecord for an incomplete record
// and errDamaged for a damaged one.
func readRecord(r *bufio.Reader) (record, error) {
	var h [recHeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.EOF {
			return record{}, io.EOF
		}
		return record{}, errRecord
	}
	if string(h[0:4]) != recMagic || h[4] < recPut || h[4] > recSeal || h[5] != 0 {
		return record{}, errDamaged
	}
	key := make([]byte, binary.LittleEndian.Uint16(h[6:8]))
	if _, err := io.ReadFull(r, key); err != nil {
		return record{}, errRecord
	}
	crc := crc32.Update(crc32.Checksum(h[0:20], crcTable), crcTable, key)
	if crc != binary.LittleEndian.Uint32(h[20:24]) {
		return record{}, errDamaged
	}
	rec := record{
		kind:    h[4],
		key:     string(key),
		dataLen: int64(binary.LittleEndian.Uint32(h[8:12])),
		time:    int64(binary.LittleEndian.Uint64(h[12:20])),
	}
	// A key from disk must be one a Store could have given: never a path
	// outside the directory.
	if rec.kind != recSeal && checkpoint.ValidateStoredKey(rec.key) != nil {
		return record{}, errDamaged
	}
	if rec.kind == recTouch && rec.dataLen == 8 {
		var v [8]byte
		if _, err := io.ReadFull(r, v[:]); err != nil {
			return record{}, errRecord
		}
		rec.ver = int64(binary.LittleEndian.Uint64(v[:]))
		return rec, nil
	}
	if n, err := r.Discard(int(rec.dataLen)); err != nil || int64(n) != rec.dataLen {
		return record{}, errRecord
	}
	return rec, nil
}

// touchData returns the data of a touch of version ver.
func touchData(ver int64) []byte {
	return binary.LittleEndian.AppendUint64(nil, uint64(ver))
}

// recordSize is the size of a record with a key of keyLen bytes and
// dataLen bytes of data.
func recordSize(keyLen int, dataLen int64) int64 {
	return recHeaderSize + int64(keyLen) + dataLen
}

// recordReader reads the records of a pack from one offset to another.
// Past a damaged record it looks for the next intact one, so that damage in
// the middle of a pack (a flipped bit on disk) hides only the records it
// hit, not the newer puts and deletes after them, which would let older
// versions in other packs show through.
type recordReader struct {
	f        io.ReaderAt
	off, end int64
	r        *bufio.Reader
}

func newRecordReader(f io.ReaderAt, off, end int64) *recordReader {
	rr := &recordReader{f: f, off: off, end: end}
	rr.r = bufio.NewReaderSize(io.NewSectionReader(f, off, end-off), 64<<10)
	return rr
}

// next returns the next record and its offset. Its error is io.EOF at the
// end, or errRecord where the rest is not a whole record: the reader's
// offset then stays at that record, to be read again once written.
func (rr *recordReader) next() (record, int64, error) {
	for {
		rec, err := readRecord(rr.r)
		if err == nil {
			at := rr.off
			rr.off += recordSize(len(rec.key), rec.dataLen)
			return rec, at, nil
		}
		if err != errDamaged {
			return record{}, rr.off, err
		}
		at, ok := rr.resync(rr.off + 1)
		if !ok {
			return record{}, rr.off, errRecord
		}
		rr.off = at
		rr.r.Reset(io.NewSectionReader(rr.f, at, rr.end-at))
	}
}

// resync returns the offset of the first intact, complete record at or
// after from.
func (rr *recordReader) resync(from int64) (int64, bool) {
	buf := make([]byte, 256<<10)
	for pos := from; pos < rr.end; {
		n, _ := rr.f.ReadAt(buf[:min(int64(len(buf)), rr.end-pos)], pos)
		if n <= 0 {
			return 0, false
		}
		for i := 0; ; {
			j := bytes.Index(buf[i:n], []byte(recMagic))
			if j < 0 {
				break
			}
			at := pos + int64(i+j)
			r := bufio.NewReader(io.NewSectionReader(rr.f, at, rr.end-at))
			if _, err := readRecord(r); err == nil {
				return at, true
			}
			i += j + 1
		}
		if pos+int64(n) >= rr.end {
			break
		}
		pos += int64(n - len(recMagic) + 1) // a magic may straddle windows
	}
	return 0, false
}
