package filestore

import (
	"os"
	"path/filepath"
	"time"
)

// warm builds the index, if no read has yet, so that the first read finds
// it ready. An error is left for that read to meet and report.
func (ps *packSet) warm() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if !ps.listed && !ps.closed {
		ps.refresh()
	}
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
			if !isPackName(name) || !e.Type().IsRegular() {
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
	ps.damage = map[damageAt]damage{}
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
	if len(ps.index) == 0 {
		// A first scan: room for the entries its size suggests (small
		// records are ~100 bytes), not growth by rehashing.
		ps.index = make(map[string]entry, min((end-p.scanned)/128, 1<<16))
		if len(ps.touched) == 0 {
			ps.touched = make(map[string]touchMark, min((end-p.scanned)/512, 1<<14))
		}
	}
	rr := newRecordReader(p.f, p.scanned, end)
	for {
		rec, at, err := rr.next()
		if err != nil {
			break // the end, or a record not (yet) complete
		}
		if rec.state != recIntact {
			ps.noteDamage(p, at, rec)
		}
		if rec.state == recUnreadable || rec.state == recDamaged && rec.kind == recTouch {
			continue // nothing known; a touch's version is in its data
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

// apply adds one record at off in p to the index: an intact or flawed
// one, or a damaged put or delete (see pack_damage.go).
func (ps *packSet) apply(p *pack, off int64, rec record) {
	switch rec.kind {
	case recPut, recDelete:
		e := entry{p: p, off: off, dataOff: off + rec.headerSize() + int64(len(rec.key)), size: rec.dataLen,
			t: rec.time, mod: rec.time, deleted: rec.kind == recDelete}
		if rec.state == recDamaged {
			e.dataOff, e.size, e.damaged = 0, 0, !e.deleted
		}
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
