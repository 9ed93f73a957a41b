package filestore

import (
	"bufio"
	"bytes"
	"io"
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
	stuck    bool // a damaged record ends what can be read for now
}

func newRecordReader(f io.ReaderAt, off, end int64) *recordReader {
	rr := &recordReader{f: f, off: off, end: end}
	rr.r = bufio.NewReaderSize(io.NewSectionReader(f, off, end-off), 64<<10)
	return rr
}

// next returns the next record and its offset: an intact or flawed record,
// or a damaged or unreadable one whose span reaches to the next record
// found. Its error is io.EOF at the end, or errRecord where the rest is not
// a whole record: the reader's offset then stays at that record, to be
// read again once written.
//
// Bytes that are not a whole record are damage when a record follows them.
// With no record after them they are taken for a record still being
// written, and so are not returned, unless their identity check holds
// (which a write in progress cannot make happen): that damaged record is
// returned, and the reader's offset stays at it.
func (rr *recordReader) next() (record, int64, error) {
	at := rr.off
	if rr.stuck {
		return record{}, at, errRecord
	}
	rec, err := readRecord(rr.r)
	if err == nil {
		rr.off += rec.size()
		return rec, at, nil
	}
	if err == io.EOF {
		return record{}, at, err
	}
	// Damaged, or not a whole record: if a record follows, these bytes are
	// damage (a key length that runs past the records after it, say), not a
	// write in progress.
	nx, ok := rr.resync(at + 1)
	if !ok {
		if rec.state != recDamaged {
			return record{}, at, errRecord
		}
		rr.stuck = true
		rec.span = rr.end - at
		return rec, at, nil
	}
	if err == errRecord {
		rec = record{state: recUnreadable}
	}
	rr.off = nx
	rr.r.Reset(io.NewSectionReader(rr.f, nx, rr.end-nx))
	rec.span = nx - at
	return rec, at, nil
}

// resync returns the offset of the first complete record at or after from
// that is intact, flawed or damaged (whose identity check holds).
func (rr *recordReader) resync(from int64) (int64, bool) {
	const magicLen = len(recMagic)
	buf := make([]byte, 256<<10)
	for pos := from; pos < rr.end; {
		n, _ := rr.f.ReadAt(buf[:min(int64(len(buf)), rr.end-pos)], pos)
		if n <= 0 {
			return 0, false
		}
		for i := 0; ; {
			j := bytes.Index(buf[i:n], []byte(recMagic[:magicLen-1]))
			if j < 0 || i+j+magicLen > n {
				break // a magic cut by the window's end is found in the next
			}
			at := pos + int64(i+j)
			if m := string(buf[i+j : i+j+magicLen]); m == recMagic || m == recMagicV1 {
				r := bufio.NewReader(io.NewSectionReader(rr.f, at, rr.end-at))
				if rec, err := readRecord(r); err == nil || rec.state == recDamaged {
					return at, true
				}
			}
			i += j + 1
		}
		if pos+int64(n) >= rr.end {
			break
		}
		pos += int64(n - magicLen + 1) // a magic may straddle windows
	}
	return 0, false
}
