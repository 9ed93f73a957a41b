package filestore

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	// packDirName is the directory of pack files under the store's
	// directory; the '~' keeps it apart from every key.
	packDirName = "~packs"
	packSuffix  = ".pack"
	// DefaultPackMax is the largest entry appended to a pack file by
	// default; larger entries get a file of their own.
	DefaultPackMax = 64 << 10
	// packRotate is the size past which a writer seals its pack and starts
	// a new one.
	packRotate = 64 << 20
	// racyDir: file systems keep coarse directory times, so a pack created
	// within this long after a listing may leave the directory's time
	// unchanged; until a listing is that much later than the directory's
	// time, every refresh lists it again (git's "racy clean" rule).
	racyDir = 20 * time.Millisecond
	// racyCoarseDir is racyDir for a directory time in whole seconds:
	// file systems that keep times in seconds (ext4 with 128-byte inodes,
	// HFS+, some NFS servers) or in two (FAT).
	racyCoarseDir = 2*time.Second + racyDir
	// maxTouches is how many touches wait before they are written.
	maxTouches = 1024
)

// pack is one pack file, written by this Driver (ours) or read from another.
type pack struct {
	name    string
	f       File
	ours    bool
	scanned int64 // the index holds every record before this offset
	written int64 // ours: the bytes written
	sealed  bool  // nothing more will be appended
	size    int64 // another's: the file's size when last scanned
	synced  int64 // ours: the bytes known synced; guarded by packSet.syncMu
	reads   int   // reads in flight (between lookup and read)
	retired bool  // removed: closed once no read is in flight
}

// entry is the newest put or delete record of a key.
type entry struct {
	p       *pack
	off     int64 // the record's offset
	dataOff int64
	size    int64
	t       int64 // the version: the record's time
	mod     int64 // the latest write or touch, for Attrs.ModTime
	deleted bool
}

// newerThan orders records of one key: by time, then pack name, then
// offset, so that every process picks the same newest record.
func (e entry) newerThan(o entry) bool {
	if e.t != o.t {
		return e.t > o.t
	}
	if e.p != o.p {
		return e.p.name > o.p.name
	}
	return e.off > o.off
}

// packSet is a Driver's view of the pack files in its directory: an index of
// the newest record of every key, and the pack this Driver appends to.
type packSet struct {
	d        *Driver
	dir      string
	mu       sync.Mutex
	packs    map[string]*pack
	index    map[string]entry
	listed   bool
	listedAt time.Time // when the directory was last listed
	dirMod   time.Time // its modification time then
	w        *pack     // the pack this Driver appends to; nil until needed
	last     int64     // the last time given to one of our records
	old      []*pack   // removed packs still open for reads in flight
	// touches are read times not yet written: a touch is bookkeeping for
	// garbage collection, so touches wait for the next record this Driver
	// writes (or Close) instead of creating a pack in a run that only
	// restores.
	touches map[string]touchMark
	// touched holds, for each key, the newest touch read or made: of the
	// newest version touched, the latest. The index applies it to that
	// version's entry, whether the touch or the put is read first.
	touched map[string]touchMark
	closed  bool // close ran: calls in flight when it did fail
	syncMu  sync.Mutex
}

// touchMark is a touch of version ver of an entry at time t, read from p
// (nil: made by this Driver).
type touchMark struct {
	p      *pack
	ver, t int64
}

func newPackSet(d *Driver) *packSet {
	return &packSet{d: d, dir: filepath.Join(d.dir, packDirName), packs: map[string]*pack{}, index: map[string]entry{},
		touched: map[string]touchMark{}}
}

// refresh brings the index up to date with packs other processes created
// or appended to. ps.mu is held.
func (ps *packSet) refresh() error {
	if ps.closed {
		return errClosed
	}
	fsys := ps.d.opts.FS
	st, err := fsys.Stat(ps.dir)
	if notExist(err) {
		if len(ps.packs) > 0 {
			return ps.rebuild(nil)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if !ps.listed || !st.ModTime().Equal(ps.dirMod) || ps.listedAt.Sub(st.ModTime()) < racyWindow(st.ModTime()) {
		listedAt := time.Now()
		ents, err := fsys.ReadDir(ps.dir)
		if err != nil && !notExist(err) {
			return err
		}
		seen := make(map[string]bool, len(ents))
		for _, e := range ents {
			name := e.Name()
			if !strings.HasSuffix(name, packSuffix) || !e.Type().IsRegular() {
				continue
			}
			seen[name] = true
			if ps.packs[name] != nil {
				continue
			}
			f, err := fsys.OpenFile(filepath.Join(ps.dir, name), os.O_RDONLY, 0)
			if notExist(err) {
				continue
			}
			if err != nil {
				return err
			}
			ps.packs[name] = &pack{name: name, f: f}
		}
		ps.listed, ps.listedAt, ps.dirMod = true, listedAt, st.ModTime()
		// A pack gone from the directory was removed by a sweep, ours
		// too (another process's sweep removes a pack once its records
		// are dead): reading it again would bring them back.
		for name := range ps.packs {
			if !seen[name] {
				return ps.rebuild(seen)
			}
		}
	}
	for _, p := range ps.packs {
		if !p.ours && !p.sealed {
			if err := ps.scan(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// rebuild forgets the packs not in present (all packs when present is nil:
// the directory is gone) and builds the index again from the rest. Removed
// packs' files stay open while reads of them are in flight, and ours until
// Close (a Put may still sync it); this Driver no longer appends to its
// pack if it was removed.
func (ps *packSet) rebuild(present map[string]bool) error {
	ps.index = map[string]entry{}
	ps.touched = map[string]touchMark{}
	for k, m := range ps.touches {
		ps.touched[k] = m // not written yet
	}
	for name, p := range ps.packs {
		if !present[name] {
			delete(ps.packs, name)
			p.retired = true
			if p == ps.w {
				ps.w, p.sealed = nil, true
			}
			if p.reads == 0 && !p.ours {
				p.f.Close()
			} else {
				ps.old = append(ps.old, p)
			}
			continue
		}
		p.scanned = 0
		if !p.ours {
			p.sealed = false
		}
	}
	for _, p := range ps.packs {
		if err := ps.scan(p); err != nil {
			return err
		}
	}
	return nil
}

// scan adds the records of p past p.scanned to the index, stopping at the
// first incomplete one. ps.mu is held.
func (ps *packSet) scan(p *pack) error {
	end := p.written
	if !p.ours {
		st, err := p.f.Stat()
		if err != nil {
			return err
		}
		end = st.Size()
		p.size = end
	}
	if end <= p.scanned {
		return nil
	}
	rr := newRecordReader(p.f, p.scanned, end)
	for {
		rec, at, err := rr.next()
		if err != nil {
			break // the end, or a record not (yet) complete
		}
		ps.apply(p, at, rec)
		if rec.kind == recSeal {
			p.sealed = true
			break
		}
	}
	p.scanned = rr.off
	return nil
}

// apply adds one record at off in p to the index.
func (ps *packSet) apply(p *pack, off int64, rec record) {
	switch rec.kind {
	case recPut, recDelete:
		e := entry{p: p, off: off, dataOff: off + recHeaderSize + int64(len(rec.key)), size: rec.dataLen,
			t: rec.time, mod: rec.time, deleted: rec.kind == recDelete}
		if old, ok := ps.index[rec.key]; !ok || e.newerThan(old) {
			if m, ok := ps.touched[rec.key]; ok && m.ver <= e.t {
				if m.ver == e.t && !e.deleted {
					e.mod = m.t
				} else {
					delete(ps.touched, rec.key) // a touch of an older version
				}
			}
			ps.index[rec.key] = e
		}
	case recTouch:
		e, ok := ps.index[rec.key]
		if rec.ver == 0 { // a touch that does not say which version
			if ok && !e.deleted {
				e.mod = rec.time
				ps.index[rec.key] = e
			}
			return
		}
		if ok && rec.ver < e.t {
			return // a touch of a version since replaced
		}
		if m, had := ps.touched[rec.key]; had && (rec.ver < m.ver || rec.ver == m.ver && m.p != p && rec.time < m.t) {
			return // a newer touch is known (later in one pack; else later in time)
		}
		ps.touched[rec.key] = touchMark{p: p, ver: rec.ver, t: rec.time}
		if ok && !e.deleted && e.t == rec.ver {
			e.mod = rec.time
			ps.index[rec.key] = e
		}
	}
}

// racyWindow returns how long after a directory time of mod a change may
// leave that time as it was: longer where the time is in whole seconds
// (its nanoseconds are zero; once in a billion a finer time is too, which
// costs only a few more listings).
func racyWindow(mod time.Time) time.Duration {
	if mod.Nanosecond() == 0 {
		return racyCoarseDir
	}
	return racyDir
}

// writer returns the pack to append to, creating one if needed. ps.mu is
// held.
func (ps *packSet) writer() (*pack, error) {
	if w := ps.w; w != nil && w.written < packRotate {
		return w, nil
	}
	if ps.w != nil {
		if err := ps.seal(); err != nil {
			return nil, err
		}
	}
	if err := ps.d.ensureDir(ps.dir); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%019d-%016x%s", time.Now().UnixNano(), rand.Uint64(), packSuffix)
	f, err := ps.d.opts.FS.OpenFile(filepath.Join(ps.dir, name), os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, ps.d.opts.FileMode)
	if err != nil {
		return nil, err
	}
	ps.w = &pack{name: name, f: f, ours: true}
	ps.packs[name] = ps.w
	return ps.w, nil
}

// seal ends the current writer's pack with a seal record, so that readers
// stop looking for more. ps.mu is held.
func (ps *packSet) seal() error {
	w := ps.w
	ps.w = nil
	w.sealed = true
	if _, err := w.f.Write(appendRecord(nil, recSeal, "", ps.now(), nil)); err != nil {
		return err
	}
	w.written += recHeaderSize
	w.scanned = w.written
	return nil
}

// now returns a record time: the wall clock, but later than every time
// this Driver gave before and than floor.
func (ps *packSet) now(floor ...int64) int64 {
	t := time.Now().UnixNano()
	for _, f := range append(floor, ps.last) {
		if t <= f {
			t = f + 1
		}
	}
	ps.last = t
	return t
}

// append writes one record, after the pending touches, to the writer's
// pack and indexes it. It returns the pack and its size after the record,
// for sync. ps.mu is held.
func (ps *packSet) append(kind byte, key string, t int64, data []byte) (*pack, int64, error) {
	if ps.closed {
		return nil, 0, errClosed
	}
	var buf []byte
	for k, m := range ps.touches {
		buf = appendRecord(buf, recTouch, k, m.t, touchData(m.ver))
	}
	clear(ps.touches)
	at := int64(len(buf))
	buf = appendRecord(buf, kind, key, t, data)
	for try := 1; ; try++ {
		w, err := ps.writer()
		if err != nil {
			return nil, 0, err
		}
		fresh := w.written == 0
		if _, err := w.f.Write(buf); err != nil {
			// The pack may now end in a torn record: append no more to it.
			ps.w, w.sealed = nil, true
			return nil, 0, err
		}
		off := w.written + at
		w.written += int64(len(buf))
		w.scanned = w.written
		// Another process's sweep removes a pack whose records are all
		// dead and whose writer looks gone (idle past the sweep's
		// grace): then what was just written went to a removed file.
		// Write it again in a new pack. (A sweep that finds the pack
		// grew since it read it puts it back; see moveAside.)
		if _, err := ps.d.opts.FS.Stat(filepath.Join(ps.dir, w.name)); notExist(err) {
			ps.w, w.sealed = nil, true
			if try < 3 {
				continue
			}
			return nil, 0, fmt.Errorf("pack %s: removed by a sweep as soon as written, %d times", w.name, try)
		}
		// A new pack's name is made durable once it holds a record: an
		// empty pack is dead to a sweep (with a before in the future, say)
		// for as long as a directory sync takes.
		if fresh && !ps.d.opts.NoSync {
			if err := ps.d.syncDir(ps.dir); err != nil {
				return nil, 0, err
			}
		}
		if kind != recTouch {
			ps.apply(w, off, record{kind: kind, key: key, dataLen: int64(len(data)), time: t})
		}
		return w, w.written, nil
	}
}

// flushTouches writes the pending touches. ps.mu is held.
func (ps *packSet) flushTouches() error {
	for k, m := range ps.touches {
		delete(ps.touches, k)
		_, _, err := ps.append(recTouch, k, m.t, touchData(m.ver)) // writes the rest first
		return err
	}
	return nil
}

// sync makes the first n bytes of our pack w durable; concurrent callers
// share one fsync.
func (ps *packSet) sync(w *pack, n int64) error {
	ps.syncMu.Lock()
	defer ps.syncMu.Unlock()
	if w.synced >= n {
		return nil
	}
	ps.mu.Lock()
	end := w.written
	ps.mu.Unlock()
	if err := w.f.Sync(); err != nil {
		return err
	}
	w.synced = end
	return nil
}

// put appends an entry.
func (ps *packSet) put(key string, data []byte) error {
	ps.mu.Lock()
	var floor int64
	if e, ok := ps.index[key]; ok {
		floor = e.t
	}
	w, n, err := ps.append(recPut, key, ps.now(floor), data)
	ps.mu.Unlock()
	if err != nil || ps.d.opts.NoSync {
		return err
	}
	return ps.sync(w, n)
}

// lookup returns key's newest live entry. With forRead, the caller must
// pass the entry to read, which keeps its pack's file open until then.
func (ps *packSet) lookup(key string, forRead bool) (entry, bool, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if err := ps.refresh(); err != nil {
		return entry{}, false, err
	}
	e, ok := ps.index[key]
	ok = ok && !e.deleted
	if ok && forRead {
		e.p.reads++
	}
	return e, ok, nil
}

// read returns n bytes of e's data from offset off, and lets go of the
// pack that lookup kept open.
func (ps *packSet) read(e entry, off, n int64) ([]byte, error) {
	defer ps.release(e.p)
	b := make([]byte, n)
	if n == 0 {
		return b, nil
	}
	if _, err := e.p.f.ReadAt(b, e.dataOff+off); err != nil {
		if errors.Is(err, os.ErrClosed) {
			return nil, errClosed // Close ran meanwhile
		}
		return nil, fmt.Errorf("pack %s: %w", e.p.name, err)
	}
	return b, nil
}

// release ends a read of p, closing p's file if p was removed meanwhile.
func (ps *packSet) release(p *pack) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p.reads--
	if p.reads > 0 || !p.retired || ps.closed || p.ours {
		return // close closed it
	}
	p.f.Close()
	ps.old = slices.DeleteFunc(ps.old, func(o *pack) bool { return o == p })
}

// delete records that key is deleted, if a live entry of it is packed.
func (ps *packSet) delete(key string) error {
	ps.mu.Lock()
	if err := ps.refresh(); err != nil {
		ps.mu.Unlock()
		return err
	}
	e, ok := ps.index[key]
	if !ok || e.deleted {
		ps.mu.Unlock()
		return nil
	}
	w, n, err := ps.append(recDelete, key, ps.now(e.t), nil)
	ps.mu.Unlock()
	if err != nil || ps.d.opts.NoSync {
		return err
	}
	return ps.sync(w, n)
}

// touch records a read of key's packed entry at t: at once in this
// Driver's index, in the pack with the next record it writes, at the latest
// on Close. It reports false when no live entry of key is packed.
func (ps *packSet) touch(key string, t time.Time) (bool, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	e, ok := ps.index[key] // usually just read by Get
	if !ok || e.deleted {
		if err := ps.refresh(); err != nil {
			return false, err
		}
		if e, ok = ps.index[key]; !ok || e.deleted {
			return false, nil
		}
	}
	e.mod = t.UnixNano()
	ps.index[key] = e
	if ps.touches == nil {
		ps.touches = map[string]touchMark{}
	}
	m := touchMark{ver: e.t, t: e.mod}
	ps.touches[key], ps.touched[key] = m, m
	if len(ps.touches) >= maxTouches {
		return true, ps.flushTouches()
	}
	return true, nil
}

// list returns the live packed entries whose keys have the prefix.
func (ps *packSet) list(prefix string) ([]string, []entry, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if err := ps.refresh(); err != nil {
		return nil, nil, err
	}
	var keys []string
	var ents []entry
	for k, e := range ps.index {
		if !e.deleted && strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
			ents = append(ents, e)
		}
	}
	return keys, ents, nil
}

// close seals our pack and closes every pack file.
func (ps *packSet) close() error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	err := ps.flushTouches()
	if w := ps.w; w != nil && err == nil {
		err = ps.seal()
		if err == nil && !ps.d.opts.NoSync {
			err = w.f.Sync()
		}
	}
	for _, p := range ps.packs {
		if cerr := p.f.Close(); err == nil {
			err = cerr
		}
	}
	for _, p := range ps.old {
		p.f.Close()
	}
	ps.packs, ps.old, ps.index, ps.touched = map[string]*pack{}, nil, map[string]entry{}, map[string]touchMark{}
	ps.closed = true
	return err
}
