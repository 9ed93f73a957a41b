package filestore

import (
	"bufio"
	"encoding/binary"
	"io"

	"github.com/cairnlabs/cairn/checkpoint"
)

// recordReader reads the records of a pack from one offset to another.
// Past a damaged record it looks for the next record it can tell, so that
// damage in the middle of a pack (a flipped bit on disk) hides only the
// records it hit, not the newer puts and deletes after them, which would
// let older versions in other packs show through.
type recordReader struct {
	f        io.ReaderAt
	off, end int64
	r        *bufio.Reader
	pending  []found // damaged records found, not yet returned
	stuck    bool    // a damaged record ends what can be read for now
}

// found is a record and its offset.
type found struct {
	rec record
	at  int64
}

func newRecordReader(f io.ReaderAt, off, end int64) *recordReader {
	rr := &recordReader{f: f, off: off, end: end}
	// A small pack (one run's records) gets a buffer its size, not 64 KiB:
	// a store's first read scans every pack.
	rr.r = bufio.NewReaderSize(io.NewSectionReader(f, off, end-off), int(min(64<<10, max(end-off, 16))))
	return rr
}

// next returns the next record and its offset: an intact or flawed record,
// or a damaged or unreadable one whose span reaches to the next record
// found. Its error is io.EOF at the end, or errRecord where the rest is not
// a whole record: the reader's offset then stays at that record, to be
// read again once written.
//
// A damaged record, or one whose key runs past the end (a damaged key
// length, or a record still being written), is damage when a record
// follows it: the next offset where a record's header check or identity
// check holds. Between the two, the first record is returned as damaged or
// unreadable,
// and every magic after it starts one more unreadable record (one whose
// magic was hit is counted with the record before it). With no record
// after them, the bytes are taken for a record still being written, and so
// are not returned, unless their identity check holds (which a write in
// progress cannot make happen): that damaged record is returned, and the
// reader's offset stays at it.
func (rr *recordReader) next() (record, int64, error) {
	if len(rr.pending) > 0 {
		f := rr.pending[0]
		rr.pending = rr.pending[1:]
		return f.rec, f.at, nil
	}
	at := rr.off
	if rr.stuck {
		return record{}, at, errRecord
	}
	rec, err := readRecord(rr.r)
	if err == nil {
		rr.off += rec.size()
		return rec, at, nil
	}
	if err == io.EOF || err == errRecord {
		return record{}, at, err // nothing can follow a header or data cut short
	}
	// Damaged, or a key that runs past the end (which is then within a
	// header and a longest key of at: a short search).
	nx, magics, ok := rr.resync(at + 1)
	if !ok {
		if rec.state != recDamaged {
			return record{}, at, errRecord
		}
		rr.stuck = true
		rec.span = rr.end - at
		return rec, at, nil
	}
	if err == errKeyCut { // a key length that runs past the records after it
		rec = record{state: recUnreadable}
	}
	ends := append(magics, nx)
	rec.span = ends[0] - at
	for i, m := range magics {
		rr.pending = append(rr.pending, found{record{state: recUnreadable, span: ends[i+1] - m}, m})
	}
	rr.off = nx
	rr.r.Reset(io.NewSectionReader(rr.f, nx, rr.end-nx))
	return rec, at, nil
}

// resync returns the first offset at or after from where a record's
// header check or identity check holds, and the offsets of the magics
// before it.
func (rr *recordReader) resync(from int64) (int64, []int64, bool) {
	const (
		window  = 256 << 10
		overlap = recHeaderSize + checkpoint.MaxKeyLen // a record's header and key
	)
	buf := make([]byte, window+overlap)
	var magics []int64
	for pos := from; pos < rr.end; pos += window {
		n, _ := rr.f.ReadAt(buf[:min(int64(len(buf)), rr.end-pos)], pos)
		if n <= 0 {
			break
		}
		b := buf[:n]
		for i := range min(n, window) {
			switch tell(b[i:]) {
			case recIntact, recFlawed, recDamaged:
				return pos + int64(i), magics, true
			case recUnreadable:
				magics = append(magics, pos+int64(i))
			}
		}
	}
	return 0, nil, false
}

// tell says what the record at the start of b is: intact, flawed or
// damaged; unreadable when only its magic is right; -1 when nothing tells
// a record there, or b ends before the record's key does.
func tell(b []byte) int {
	if len(b) < recHeaderSize && !(len(b) >= recHeaderSizeV1 && string(b[:4]) == recMagicV1) {
		return -1
	}
	magic := string(b[:4]) == recMagic || string(b[:4]) == recMagicV1
	if !magic && (b[4] < recPut || b[4] > recSeal) { // cheaply: no identity either
		return -1
	}
	hdr := recHeaderSize
	if string(b[:4]) == recMagicV1 {
		hdr = recHeaderSizeV1
	}
	keyLen := int(binary.LittleEndian.Uint16(b[6:8]))
	if keyLen > checkpoint.MaxKeyLen || len(b) < hdr+keyLen {
		return unreadableIf(magic)
	}
	var h [recHeaderSize]byte
	copy(h[:], b[:hdr])
	if st := decodeRecord(h[:], b[hdr:hdr+keyLen]).state; st != recUnreadable {
		return st
	}
	return unreadableIf(magic)
}

func unreadableIf(magic bool) int {
	if magic {
		return recUnreadable
	}
	return -1
}
