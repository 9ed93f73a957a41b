package filestore

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// version is one put or delete record, for sweeping.
type version struct {
	e    entry
	kind byte
}

// sweep removes the pack files none of whose records matter any more: every
// put in them has a newer put or delete, and every delete in them has no
// older put left in a pack that stays (and, if it is the key's newest
// record, was written before before); the touches in them that still set a
// live entry's ModTime are first written again in our pack. Our current
// pack stays, and so does another process's unsealed pack modified after
// before (it may still be written); an older one may only be idle, so
// moveAside readies its removal with care. Deleting a key therefore frees
// its bytes only once the rest of its pack is dead too; only small sealed
// packs are rewritten (compact).
//
// It returns how many packs it removed and their size. Dead records in a
// pack that has live ones stay until the pack dies.
func (ps *packSet) sweep(before time.Time) (n int, size int64, err error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if err := ps.refresh(); err != nil {
		return 0, 0, err
	}
	if err := ps.compact(); err != nil {
		return 0, 0, err
	}
	vers := map[string][]version{}
	removable := map[*pack]bool{}
	for _, p := range ps.packs {
		if err := ps.versions(p, vers); err != nil {
			return 0, 0, err
		}
		if p == ps.w {
			continue
		}
		if !p.ours && !p.sealed {
			st, err := p.f.Stat()
			if err != nil || !st.ModTime().Before(before) {
				continue
			}
		}
		removable[p] = true
	}
	// A pack holding a key's newest put stays, and so does one holding a
	// key's newest record when that is a delete written since before: a
	// merge that began before the delete (another process's sweep, see
	// compact) may still copy an older put of the key, with its old
	// version, after this sweep looked; without the delete, that copy
	// would bring the key back.
	for _, e := range ps.index {
		if !e.deleted || e.t >= before.UnixNano() {
			delete(removable, e.p)
		}
	}
	keepDeletes(vers, removable)
	if len(removable) == 0 {
		return 0, 0, nil
	}
	// The touch that sets a live entry's ModTime is not dead with its
	// pack: write it again in ours before the pack goes.
	for k, m := range ps.touched {
		if e, ok := ps.index[k]; ok && m.p != nil && removable[m.p] && !e.deleted && e.t == m.ver {
			if ps.touches == nil {
				ps.touches = map[string]touchMark{}
			}
			ps.touches[k] = touchMark{ver: m.ver, t: m.t}
		}
	}
	if err := ps.flushTouches(); err != nil {
		return 0, 0, err
	}
	// Another process's unsealed pack first: it stays if it grew, and
	// then so do the deletes of the puts in it. Every such pack is moved
	// aside before any is removed, since a delete in one may need a put in
	// another to go.
	present := map[string]bool{}
	asides := map[*pack]string{}
	for name, p := range ps.packs {
		if removable[p] && !p.ours && !p.sealed {
			if aside, ok := ps.moveAside(p, filepath.Join(ps.dir, name)); ok {
				asides[p] = aside
			} else {
				delete(removable, p) // it grew, or is gone or still there
			}
		}
	}
	keepDeletes(vers, removable)
	for name, p := range ps.packs {
		if !removable[p] {
			present[name] = true
			if aside, ok := asides[p]; ok {
				// A delete in it now stays: put it back.
				if err := ps.d.opts.FS.Rename(aside, filepath.Join(ps.dir, name)); err != nil {
					present[name] = false // still read, under the aside name
				}
			}
			continue
		}
		path := filepath.Join(ps.dir, name)
		if aside, ok := asides[p]; ok {
			path = aside
		}
		if err := ps.d.opts.FS.Remove(path); err != nil && !notExist(err) {
			present[name] = true // still there (an open file on Windows, say)
			continue
		}
		n++
		size += p.scanned
		p.ours = false // rebuild forgets it like another process's
	}
	return n, size, ps.rebuild(present)
}

// moveAside readies the removal of another process's unsealed pack, whose
// writer may not be gone but only idle, and so may append to it at any
// moment. It moves the pack aside (under a name still read as a pack, so
// that its records stay visible should this process die here) and reports
// the new name and true if the pack has not grown since it was read;
// otherwise it puts it back. A writer, for its part, checks after each
// append that its pack is still in place, and writes the record again in a
// new pack if not. Between the two, an append that lands before the move is
// seen here, and one that lands after it is seen by its writer.
func (ps *packSet) moveAside(p *pack, path string) (string, bool) {
	fsys := ps.d.opts.FS
	ext := packExt(path)
	aside := fmt.Sprintf("%s-swept-%016x%s", strings.TrimSuffix(path, ext), rand.Uint64(), ext)
	if err := fsys.Rename(path, aside); err != nil {
		return "", false // another sweep took it (the next refresh forgets it), or it stays
	}
	if st, err := p.f.Stat(); err != nil || st.Size() != p.size {
		fsys.Rename(aside, path) // if this fails, it stays readable under the new name
		return "", false
	}
	return aside, true
}

// keepDeletes takes out of removable the packs of deletes whose key has an
// older put in a pack that stays, and no newer record than that put in a
// pack that stays: a delete stays while it is what hides that put.
func keepDeletes(vers map[string][]version, removable map[*pack]bool) {
	for changed := true; changed; {
		changed = false
		for _, vs := range vers {
			for _, v := range vs {
				if v.kind != recDelete || !removable[v.e.p] {
					continue
				}
				for _, u := range vs {
					if u.kind == recPut && !removable[u.e.p] && v.e.newerThan(u.e) && !hiddenBy(vs, u, removable) {
						delete(removable, v.e.p)
						changed = true
						break
					}
				}
			}
		}
	}
}

// hiddenBy reports whether a record of the key newer than u stays.
func hiddenBy(vs []version, u version, removable map[*pack]bool) bool {
	for _, w := range vs {
		if !removable[w.e.p] && w.e.newerThan(u.e) {
			return true
		}
	}
	return false
}

const (
	// compactMin is how many small sealed packs a sweep tolerates before
	// it merges them.
	compactMin = 8
	// compactMax is the largest pack a sweep merges.
	compactMax = packRotate / 4
)

// compact copies into our pack, with their versions, the newest records of
// each key held by small sealed packs, when there are more than compactMin
// of them; they are then dead, and the sweep removes them. Every process
// that writes leaves a pack (its run's records at least), and a process
// reads every pack's headers when it first reads: merging keeps that to a
// few packs. A copy has its original's time and a later pack name, so it
// is the newer of the two everywhere. ps.mu is held.
func (ps *packSet) compact() error {
	var small []*pack
	for _, p := range ps.packs {
		if p.sealed && p != ps.w && !p.retired && p.scanned <= compactMax {
			small = append(small, p)
		}
	}
	if len(small) <= compactMin {
		return nil
	}
	w, err := ps.writer()
	if err != nil {
		return err
	}
	src := map[*pack]bool{}
	for _, p := range small {
		if p.name < w.name { // else a copy would not be the newer
			src[p] = true
		}
	}
	keys := make([]string, 0, len(ps.index))
	for k, e := range ps.index {
		if src[e.p] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	written := map[*pack]bool{}
	for _, k := range keys {
		e := ps.index[k]
		kind, data := recDelete, []byte(nil)
		if e.damaged {
			continue // its data is lost: it stays, and so does its pack
		}
		if !e.deleted {
			kind, data = recPut, make([]byte, e.size)
			if _, err := e.p.f.ReadAt(data, e.dataOff); err != nil {
				continue // the original stays, and so does its pack
			}
		}
		to, _, err := ps.append(kind, k, e.t, data)
		if err != nil {
			return err
		}
		written[to] = true
	}
	if ps.d.opts.NoSync {
		return nil
	}
	// The copies are durable before any original goes.
	for p := range written {
		if err := p.f.Sync(); err != nil {
			return err
		}
	}
	return nil
}

// versions adds the put and delete records p's index covers to vers,
// damaged ones included.
func (ps *packSet) versions(p *pack, vers map[string][]version) error {
	ps.damagedVersions(p, vers) // also one at p.scanned, which a reader stopped at
	if p.scanned == 0 {
		return nil
	}
	rr := newRecordReader(p.f, 0, p.scanned)
	for {
		rec, at, err := rr.next()
		if err != nil {
			return nil // read as far as scan did: what follows is not indexed
		}
		if rec.state <= recFlawed && (rec.kind == recPut || rec.kind == recDelete) { // damaged: above
			vers[rec.key] = append(vers[rec.key], version{e: entry{p: p, off: at, t: rec.time}, kind: rec.kind})
		}
	}
}

// closeMergeMin is how many small sealed packs a Driver that has read the
// store finds too many when it closes: it merges them then, so that a store
// nobody garbage-collects does not grow a pack per run without end, and a
// process that opens the store reads few packs before its first restore
// (each costs an open and a read: the seed's final-result restore in a
// fresh process took 2.8-5 ms with up to 32 packs, 1.9 ms with up to 9).
var closeMergeMin = compactMin // a variable for tests of the sweep's own merge

// mergeOnClose merges small sealed packs, as a sweep does (and removes the
// packs that died), when a Driver that has read the store closes and finds
// more than closeMergeMin of them. It is best effort: a failure leaves the
// packs as they were, to be merged by the next.
func (ps *packSet) mergeOnClose() {
	ps.mu.Lock()
	n := 0
	if ps.listed && !ps.closed {
		for _, p := range ps.packs {
			if p.sealed && p != ps.w && !p.retired && p.scanned <= compactMax {
				n++
			}
		}
	}
	ps.mu.Unlock()
	if n > closeMergeMin {
		ps.sweep(time.Now().Add(-time.Hour)) // another's unsealed pack: idle an hour, as GC
	}
}
