package filestore

import (
	"errors"
	"fmt"
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
	// packSuffix ends the name of a pack of this format; packSuffixV1 that
	// of a pack of the first (see record.go).
	packSuffix   = ".pack2"
	packSuffixV1 = ".pack"
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

// isPackName reports whether name is a pack file's, of either format.
func isPackName(name string) bool {
	return strings.HasSuffix(name, packSuffix) || strings.HasSuffix(name, packSuffixV1)
}

// packExt returns the suffix of the pack file name.
func packExt(name string) string {
	if strings.HasSuffix(name, packSuffixV1) {
		return packSuffixV1
	}
	return packSuffix
}

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
	damaged bool // a put whose record is damaged: its data is lost (see pack_damage.go)
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
	// damage holds the damaged records read, by pack and offset; logged
	// those this Driver logged, which it does not log again.
	damage map[damageAt]damage
	logged map[damageAt]bool
	closed bool // close ran: calls in flight when it did fail
	syncMu sync.Mutex
}

// touchMark is a touch of version ver of an entry at time t, read from p
// (nil: made by this Driver).
type touchMark struct {
	p      *pack
	ver, t int64
}

// newPackSet returns d's view of the packs in its directory: empty until the
// first refresh lists them.
func newPackSet(d *Driver) *packSet {
	return &packSet{d: d, dir: filepath.Join(d.dir, packDirName), packs: map[string]*pack{}, index: map[string]entry{},
		touched: map[string]touchMark{}, damage: map[damageAt]damage{}, logged: map[damageAt]bool{}}
}

// lookup returns key's newest live entry. With forRead, the caller must
// pass the entry to read, which keeps its pack's file open until then,
// unless the entry is damaged.
func (ps *packSet) lookup(key string, forRead bool) (entry, bool, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if err := ps.refresh(); err != nil {
		return entry{}, false, err
	}
	e, ok := ps.index[key]
	ok = ok && !e.deleted
	if ok && forRead && !e.damaged {
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
	ps.damage = map[damageAt]damage{}
	ps.closed = true
	return err
}
