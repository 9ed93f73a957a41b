package filestore

import (
	"fmt"
	"path/filepath"

	"github.com/cairnlabs/cairn/checkpoint"
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
//     pack goes, whichever key it hit.
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

// noteDamage remembers the damaged record rec at off in p. ps.mu is held.
func (ps *packSet) noteDamage(p *pack, off int64, rec record) {
	at := damageAt{p.name, off}
	if _, ok := ps.damage[at]; !ok {
		ps.damage[at] = damage{p: p, off: off, rec: rec}
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
