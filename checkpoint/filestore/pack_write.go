package filestore

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

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
	flushed := make(map[string]touchMark, len(ps.touches))
	for k, m := range ps.touches {
		buf = appendRecord(buf, recTouch, k, m.t, touchData(m.ver))
		flushed[k] = m
	}
	if kind == recTouch { // flushTouches' last
		flushed[key] = touchMark{ver: int64(binary.LittleEndian.Uint64(data)), t: t}
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
		// The touches now live in w: a sweep that removes w writes
		// them again (it knows no other pack of a touch made here).
		for k, m := range flushed {
			if tm, ok := ps.touched[k]; ok && tm.p == nil && tm.ver == m.ver && tm.t == m.t {
				tm.p = w
				ps.touched[k] = tm
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
	if !ok || e.deleted || e.damaged {
		if err := ps.refresh(); err != nil {
			return false, err
		}
		if e, ok = ps.index[key]; !ok || e.deleted || e.damaged {
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
