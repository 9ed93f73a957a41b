package filestore

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// Damage in a pack: what a reader makes of a record that fails its checks
// (see record.go for the checks, record_reader.go for how reading goes on
// past it). The rules, each pinned by a test in pack_damage_test.go:
//
//  1. A damaged record whose identity check holds (recDamaged) keeps its
//     place among its key's versions. A put is indexed as a damaged entry:
//     while it is the key's newest, Get and GetRange fail with a
//     *checkpoint.CorruptError (a failed restore, recomputed; never a miss,
//     and never the older version it replaced), Stat and List show the key
//     with size 0, and a Put or Delete of the key replaces it as any entry.
//     A delete still deletes: what it says is known. A touch is dropped: the
//     version it touched is in its data. A seal still seals.
//  2. A record whose identity check alone fails (recFlawed) is read as an
//     intact one: the header check vouches for all of it.
//  3. Bytes no check holds for (recUnreadable) are reported by pack and
//     offset; their key cannot be known, so a Get of it finds what the other
//     packs hold, if anything: a miss, or an older version. Nothing
//     honest can say more without a key.
//  4. Every damaged record is remembered by the index (ps.damage) until its
//     pack goes, whichever key it hit; Damage lists them (`cairn ckpt
//     verify` reports them), and the Driver logs each once, when it first
//     reads it.
//  5. A sweep treats a damaged put or delete as a version of its key: the
//     pack of a damaged newest put stays, as the pack of any newest put
//     does, and a merge cannot copy it (its data is lost), so it stays
//     behind in its pack. Unreadable bytes keep no pack: no Get changes when
//     they go.

// damageAt names a damaged record: its pack's name and its offset.
type damageAt struct {
	pack string
	off  int64
}

// damage is a damaged record that a scan found.
type damage struct {
	p   *pack
	off int64
	rec record // its state, and its kind, key and time if recDamaged or recFlawed
}

// noteDamage remembers the damaged record rec at off in p, and logs it
// the first time. ps.mu is held.
func (ps *packSet) noteDamage(p *pack, off int64, rec record) {
	at := damageAt{p.name, off}
	if _, ok := ps.damage[at]; !ok {
		ps.damage[at] = damage{p: p, off: off, rec: rec}
	}
	if ps.logged[at] {
		return
	}
	ps.logged[at] = true
	key := rec.key
	if rec.state == recUnreadable {
		key = "(cannot be read)"
	}
	ps.d.opts.Logger.Warn("filestore: a pack record is damaged; cairn ckpt verify lists all damage",
		"where", ps.where(p, off), "key", key, "damage", damageNames[rec.state])
}

// damageNames says, for the log, how a record is damaged.
var damageNames = map[int]string{
	recFlawed:     "its identity checksum only: it still reads",
	recDamaged:    "its header: its key and version check out, where its data lies does not",
	recUnreadable: "its key, kind, version or key length: nothing of it can be read",
}

// Damage implements driver.DamageReporter: it brings the index up to date
// and reports every damaged record of every pack, in pack and offset order.
func (d *Driver) Damage(ctx context.Context, fn func(driver.Damage) error) error {
	if err := d.check(ctx); err != nil {
		return err
	}
	ds, cur, err := d.packs.damages()
	if err != nil {
		return wrap("damage", packDirName, err)
	}
	for i, dm := range ds {
		if err := ctx.Err(); err != nil {
			return err
		}
		if cur[i] { // unless a file of its own replaced it
			if _, err := d.opts.FS.Stat(d.path(dm.rec.key)); err == nil {
				cur[i] = false
			}
		}
		key := dm.rec.key
		if dm.rec.state == recUnreadable {
			key = ""
		}
		if err := fn(driver.Damage{Key: key, Where: d.packs.where(dm.p, dm.off), Current: cur[i], Detail: dm.detail(cur[i])}); err != nil {
			return err
		}
	}
	return nil
}

// damages returns the damaged records of the packs, in pack and offset
// order, and whether each is its key's newest entry.
func (ps *packSet) damages() ([]damage, []bool, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if err := ps.refresh(); err != nil {
		return nil, nil, err
	}
	var ds []damage
	for _, dm := range ps.damage {
		ds = append(ds, dm)
	}
	slices.SortFunc(ds, func(a, b damage) int { return cmp.Or(cmp.Compare(a.p.name, b.p.name), cmp.Compare(a.off, b.off)) })
	cur := make([]bool, len(ds))
	for i, dm := range ds {
		e, ok := ps.index[dm.rec.key]
		cur[i] = dm.rec.state == recDamaged && dm.rec.kind == recPut && ok && e.p == dm.p && e.off == dm.off
	}
	return ds, cur, nil
}

// detail says what the damage to the record cost, for people.
func (dm damage) detail(current bool) string {
	r := dm.rec
	switch {
	case r.state == recUnreadable:
		return fmt.Sprintf("%d bytes hold a record whose key cannot be read (more than one, if the damage spans records): what it held is lost; a Get of its key misses, or reads an older version if another record holds one", r.span)
	case r.state == recFlawed:
		return fmt.Sprintf("the identity checksum of a record of %q is damaged; the rest of the record checks out and still reads: nothing is lost", r.key)
	case r.kind == recPut && current:
		return fmt.Sprintf("the newest version of %q is damaged (its key and version check out, the rest of its header does not): the checkpoint is lost, and Get reports it corrupt", r.key)
	case r.kind == recPut:
		return fmt.Sprintf("an older version of %q is damaged; a newer one replaced it: nothing is lost", r.key)
	case r.kind == recDelete:
		return fmt.Sprintf("a delete record of %q is damaged; its key and version check out, so it still deletes: nothing is lost", r.key)
	case r.kind == recTouch:
		return fmt.Sprintf("a read-time record of %q is damaged: garbage collection may take the checkpoint for less recently used than it is", r.key)
	default:
		return "the record that closed the pack is damaged: nothing is lost"
	}
}

// damagedVersions adds the puts and deletes of p that are damaged but
// known to vers.
func (ps *packSet) damagedVersions(p *pack, vers map[string][]version) {
	for _, d := range ps.damage {
		if d.p == p && d.rec.state == recDamaged && (d.rec.kind == recPut || d.rec.kind == recDelete) {
			vers[d.rec.key] = append(vers[d.rec.key], version{e: entry{p: p, off: d.off, t: d.rec.time}, kind: d.rec.kind})
		}
	}
}

// where names the record at off in p for people.
func (ps *packSet) where(p *pack, off int64) string {
	return fmt.Sprintf("offset %d of %s", off, filepath.Join(ps.dir, p.name))
}

// corrupt returns the error of a Get of key, whose newest entry e is a
// damaged record.
func (ps *packSet) corrupt(key string, e entry) error {
	return &checkpoint.CorruptError{Key: key, Reason: fmt.Sprintf(
		"its packed record, at %s, is damaged: its key and version check out but the rest of its header does not, so its data cannot be found",
		ps.where(e.p, e.off))}
}
