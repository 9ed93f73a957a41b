package filestore

import (
	"bufio"
	"io"
	"path/filepath"
	"time"
)

// version is one put or delete record, for sweeping.
type version struct {
	e    entry
	kind byte
}

// sweep removes the pack files none of whose records matter any more: every
// put in them has a newer put or delete, and every delete in them has no
// older put left in a pack that stays. Our current pack stays, and so does
// another process's unsealed pack modified after before (it may still be
// written). Deleting a key therefore frees its bytes only once the rest of
// its pack is dead too; packs are not rewritten.
//
// It returns how many packs it removed and their size. Dead records in a
// pack that has live ones stay until the pack dies.
func (ps *packSet) sweep(before time.Time) (n int, size int64, err error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if err := ps.refresh(); err != nil {
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
	// A pack holding a key's newest put stays.
	for _, e := range ps.index {
		if !e.deleted {
			delete(removable, e.p)
		}
	}
	// A delete stays while an older put of its key stays.
	for changed := true; changed; {
		changed = false
		for _, vs := range vers {
			for _, v := range vs {
				if v.kind != recDelete || !removable[v.e.p] {
					continue
				}
				for _, u := range vs {
					if u.kind == recPut && !removable[u.e.p] && v.e.newerThan(u.e) {
						delete(removable, v.e.p)
						changed = true
						break
					}
				}
			}
		}
	}
	if len(removable) == 0 {
		return 0, 0, nil
	}
	present := map[string]bool{}
	for name, p := range ps.packs {
		if !removable[p] {
			present[name] = true
			continue
		}
		if err := ps.d.opts.FS.Remove(filepath.Join(ps.dir, name)); err != nil && !notExist(err) {
			present[name] = true // still there (an open file on Windows, say)
			continue
		}
		n++
		size += p.scanned
		p.ours = false // rebuild forgets it like another process's
	}
	return n, size, ps.rebuild(present)
}

// versions adds the put and delete records p's index covers to vers.
func (ps *packSet) versions(p *pack, vers map[string][]version) error {
	if p.scanned == 0 {
		return nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(p.f, 0, p.scanned), 64<<10)
	var off int64
	for off < p.scanned {
		rec, err := readRecord(r)
		if err != nil {
			return nil // read as far as scan did: what follows is not indexed
		}
		if rec.kind == recPut || rec.kind == recDelete {
			vers[rec.key] = append(vers[rec.key], version{e: entry{p: p, off: off, t: rec.time}, kind: rec.kind})
		}
		off += recordSize(len(rec.key), rec.dataLen)
	}
	return nil
}
