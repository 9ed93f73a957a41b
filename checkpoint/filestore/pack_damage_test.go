package filestore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// damagedStore writes, in one process, k and gone (old versions), and in a
// second: y, x, k again and a delete of gone. It returns the directory, the
// second process's pack and the offset of x's record in it.
func damagedStore(t *testing.T) (dir, pack string, off int64) {
	t.Helper()
	ctx := context.Background()
	dir = t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "k", []byte("old"))
	putT(t, a, "gone", []byte("old"))
	a.Close()
	b := openT(t, dir, nil)
	putT(t, b, "y", []byte("before the damage"))
	putT(t, b, "x", []byte("damaged soon"))
	putT(t, b, "k", []byte("new"))
	if err := b.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	b.Close()
	for _, p := range packFiles(t, dir) {
		offs, recs := recordsOf(t, p)
		for i, r := range recs {
			if r.key == "x" {
				return dir, p, offs[i]
			}
		}
	}
	t.Fatal("no record of x")
	return "", "", 0
}

// flip xors the byte at off of the file at path with x.
func flip(t *testing.T, path string, off int64, x byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= x
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestPackDamageAnywhereKeepsNewerVersions flips each byte of a record's
// header and key in turn (the key length too, which once made the reader
// take the damaged record for one still being written, and stop there):
// the records before and after it still count, so no older version of a
// key shows through.
func TestPackDamageAnywhereKeepsNewerVersions(t *testing.T) {
	for i := range int64(recHeaderSize + 1) {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			t.Run(fmt.Sprintf("byte %d^%#x", i, x), func(t *testing.T) {
				dir, pack, off := damagedStore(t)
				flip(t, pack, off+i, x)
				d := openT(t, dir, nil)
				if got := getT(t, d, "y"); string(got) != "before the damage" {
					t.Errorf("y = %q", got)
				}
				if got := getT(t, d, "k"); string(got) != "new" {
					t.Errorf("k = %q, want new: the overwrite after the damaged record", got)
				}
				absentT(t, d, "gone")
			})
		}
	}
}

// appendRecordV1 appends a record of the first format, as cairn wrote them
// before the identity check: a 24-byte header with magic "ckp1".
func appendRecordV1(b []byte, kind byte, key string, t int64, data []byte) []byte {
	r := appendRecord(nil, kind, key, t, data)
	copy(r, recMagicV1)
	binary.LittleEndian.PutUint32(r[20:24], headerCRC(r, []byte(key)))
	return append(append(b, r[:recHeaderSizeV1]...), r[recHeaderSize:]...)
}

// TestPackReadsFirstFormat checks that packs of the first format (*.pack,
// records without the identity check) still read, beside this format's,
// and that damage in one hides only the record it hit.
func TestPackReadsFirstFormat(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, packDirName), 0o700); err != nil {
		t.Fatal(err)
	}
	var b []byte
	b = appendRecordV1(b, recPut, "a", 10, []byte("alpha"))
	b = appendRecordV1(b, recPut, "x", 11, []byte("damaged soon"))
	b = appendRecordV1(b, recPut, "k", 12, []byte("old"))
	b = appendRecordV1(b, recPut, "gone", 13, []byte("old"))
	b = appendRecordV1(b, recTouch, "a", 14, touchData(10))
	b = appendRecordV1(b, recSeal, "", 15, nil)
	b[recordsLen(b, 1)+recHeaderSizeV1] ^= 1 // x's key
	old := filepath.Join(dir, packDirName, "0000000000000000001-0000000000000001"+packSuffixV1)
	if err := os.WriteFile(old, b, 0o600); err != nil {
		t.Fatal(err)
	}
	d := openT(t, dir, nil)
	if got := getT(t, d, "a"); string(got) != "alpha" {
		t.Fatalf("a = %q", got)
	}
	if at, err := d.Stat(ctx, "a"); err != nil || at.ModTime.UnixNano() != 14 {
		t.Fatalf("Stat a = %+v, %v; want the touch's time", at, err)
	}
	absentT(t, d, "x")
	if got := getT(t, d, "k"); string(got) != "old" {
		t.Fatalf("k = %q, want old: the record after the damaged one", got)
	}
	putT(t, d, "k", []byte("new"))
	if err := d.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if p := packFiles(t, dir); len(p) != 2 || p[0] != old || !strings.HasSuffix(p[1], packSuffix) {
		t.Fatalf("packs %q, want the old one and a new %s", p, packSuffix)
	}
	e := openT(t, dir, nil)
	if got := getT(t, e, "k"); string(got) != "new" {
		t.Fatalf("k = %q, want new", got)
	}
	absentT(t, e, "gone")
	if got := keysT(t, e, ""); !slices.Equal(got, []string{"a", "k"}) {
		t.Fatalf("List = %q", got)
	}
}

// recordsLen returns the length of the first n records of a first-format
// pack.
func recordsLen(b []byte, n int) int {
	off := 0
	for range n {
		off += recHeaderSizeV1 + int(binary.LittleEndian.Uint16(b[off+6:])) + int(binary.LittleEndian.Uint32(b[off+8:]))
	}
	return off
}

// TestPackHeaderDamageRestore flips each byte of a record's header (and one
// of its key) and restores the key through a checkpoint.Store, as a run
// would: where the record's identity (kind, key length, time, key) still
// checks out, Get reports a corrupt checkpoint, naming the pack and offset,
// never a miss; where the identity check alone is hit, the value reads; and
// where the identity is hit, the key cannot be known and Get misses.
func TestPackHeaderDamageRestore(t *testing.T) {
	ctx := context.Background()
	identity := func(i int64) bool { return i == 4 || i == 6 || i == 7 || i >= 12 && i < 20 || i >= recHeaderSize }
	for i := range int64(recHeaderSize + 1) {
		t.Run(fmt.Sprintf("byte %d", i), func(t *testing.T) {
			dir := t.TempDir()
			s := checkpoint.New(openT(t, dir, nil), nil)
			for _, k := range []string{"k1", "k2", "k3"} {
				if _, err := s.Put(ctx, k, []float64{1, 2}, checkpoint.Meta{}); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			pack := packFiles(t, dir)[0]
			offs, recs := recordsOf(t, pack)
			off := offs[slices.IndexFunc(recs, func(r record) bool { return r.key == "k2" })]
			flip(t, pack, off+i, 0xff)

			s = checkpoint.New(openT(t, dir, nil), nil)
			defer s.Close()
			v, _, err := s.Get(ctx, "k2", nil)
			var ce *checkpoint.CorruptError
			switch {
			case i >= 24 && i < 28: // the identity check's own bytes
				if err != nil || !slices.Equal(v.([]float64), []float64{1, 2}) {
					t.Errorf("Get k2 = %v, %v; want the value", v, err)
				}
			case identity(i):
				if !errors.Is(err, checkpoint.ErrNotFound) {
					t.Errorf("Get k2 = %v, %v; want a miss: its key cannot be read", v, err)
				}
			case !errors.As(err, &ce) || ce.Key != "k2" || v != nil:
				t.Errorf("Get k2 = %v, %v; want a *checkpoint.CorruptError for k2", v, err)
			default:
				if want := fmt.Sprintf(`checkpoint: corrupt checkpoint "k2": its packed record, at offset %d of %s, is damaged`, off, pack); !strings.HasPrefix(err.Error(), want) {
					t.Errorf("Get k2: %v\nwant it to start %s", err, want)
				}
				if err := s.Verify(ctx, "k2"); !errors.Is(err, checkpoint.ErrCorrupt) {
					t.Errorf("Verify k2 = %v, want ErrCorrupt", err)
				}
				if _, err := s.Stat(ctx, "k2"); !errors.Is(err, checkpoint.ErrCorrupt) {
					t.Errorf("Stat k2 = %v, want ErrCorrupt", err)
				}
			}
			for _, k := range []string{"k1", "k3"} {
				if v, _, err := s.Get(ctx, k, nil); err != nil || !slices.Equal(v.([]float64), []float64{1, 2}) {
					t.Errorf("Get %s = %v, %v", k, v, err)
				}
			}
		})
	}
}

// TestPackDamagedNewestHidesOlder: when the newest version of k is a damaged
// record, k is corrupt, in every process and after sweeps and merges: the
// older version in another pack never shows through. Once k is put again
// (recomputed), the new value reads, and a delete deletes it.
func TestPackDamagedNewestHidesOlder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "k", []byte("old"))
	a.Close()
	b := openT(t, dir, nil)
	putT(t, b, "k", []byte("new"))
	putT(t, b, "j", []byte("j"))
	b.Close()
	for _, p := range packFiles(t, dir)[1:] {
		offs, recs := recordsOf(t, p)
		flip(t, p, offs[slices.IndexFunc(recs, func(r record) bool { return r.key == "k" })]+8, 0x01) // k's data length
	}
	corruptT(t, openT(t, dir, nil), "k")
	// Enough small packs for a sweep to merge them, k's among them.
	for i := range compactMin {
		d := openT(t, dir, nil)
		putT(t, d, fmt.Sprint("f", i), []byte("filler"))
		d.Close()
	}
	c := openT(t, dir, nil)
	if _, _, err := c.Sweep(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	corruptT(t, c, "k")
	if p := packFiles(t, dir); len(p) != 2 {
		t.Fatalf("packs after the sweep: %q; want k's and the merge's", p)
	}
	if got := keysT(t, c, ""); !slices.Equal(got, []string{"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "j", "k"}) {
		t.Fatalf("List after the sweep = %q", got)
	}
	c.Close()
	corruptT(t, openT(t, dir, nil), "k")

	// Recomputed: the new value replaces the damaged one, here and in a
	// fresh process.
	d := openT(t, dir, nil)
	putT(t, d, "k", []byte("recomputed"))
	if got := getT(t, d, "k"); string(got) != "recomputed" {
		t.Fatalf("k = %q after a Put over the damaged record", got)
	}
	if got := getT(t, openT(t, dir, nil), "k"); string(got) != "recomputed" {
		t.Fatalf("a fresh process reads k = %q", got)
	}
	if err := d.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	e := openT(t, dir, nil)
	if _, _, err := e.Sweep(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	absentT(t, e, "k")
	absentT(t, openT(t, dir, nil), "k")
}

// TestPackDamageListed checks that every damaged record is reported, once
// in the log and each time by Damage, with what it cost: a damaged newest
// put (Current), an older version, a delete (which still deletes), a
// record whose key cannot be read (by offset), and a record whose identity
// checksum alone is hit (which still reads).
func TestPackDamageListed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "o", []byte("old"))
	putT(t, a, "d", []byte("deleted"))
	a.Close()
	b := openT(t, dir, nil)
	putT(t, b, "o", []byte("new"))
	if err := b.Delete(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"k2", "u", "f"} {
		putT(t, b, k, []byte("value of "+k))
	}
	b.Close()
	packs := packFiles(t, dir)
	type hit struct {
		pack   string
		key    string
		kind   byte
		byteAt int64
	}
	var want []driver.Damage
	var flips []func()
	for _, h := range []hit{
		{packs[0], "o", recPut, 20},   // the header checksum
		{packs[1], "d", recDelete, 8}, // the data length
		{packs[1], "k2", recPut, 0},   // the magic
		{packs[1], "u", recPut, 28},   // the key
		{packs[1], "f", recPut, 24},   // the identity checksum
	} {
		offs, recs := recordsOf(t, h.pack)
		i := slices.IndexFunc(recs, func(r record) bool { return r.key == h.key && r.kind == h.kind })
		flips = append(flips, func() { flip(t, h.pack, offs[i]+h.byteAt, 0xff) })
		d := driver.Damage{Key: h.key, Where: fmt.Sprintf("offset %d of %s", offs[i], h.pack), Current: h.key == "k2"}
		if h.key == "u" {
			d.Key = ""
		}
		want = append(want, d)
	}
	for _, f := range flips {
		f()
	}

	var log bytes.Buffer
	d := openT(t, dir, &Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if got := getT(t, d, "o"); string(got) != "new" {
		t.Errorf("o = %q, want new", got)
	}
	absentT(t, d, "d")
	corruptT(t, d, "k2")
	absentT(t, d, "u")
	if got := getT(t, d, "f"); string(got) != "value of f" {
		t.Errorf("f = %q", got)
	}
	if got := keysT(t, d, ""); !slices.Equal(got, []string{"f", "k2", "o"}) {
		t.Errorf("List = %q, want f k2 o", got)
	}
	for range 2 {
		var got []driver.Damage
		if err := d.Damage(ctx, func(dm driver.Damage) error {
			if dm.Detail == "" {
				t.Errorf("%+v says nothing", dm)
			}
			got = append(got, dm)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			t.Logf("%s: %s", got[i].Where, got[i].Detail)
			got[i].Detail = ""
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Damage reported\n\t%+v\nwant\n\t%+v", got, want)
		}
	}
	if n := strings.Count(log.String(), "a pack record is damaged"); n != len(want) {
		t.Errorf("%d damaged records logged, want each once (%d):\n%s", n, len(want), log.String())
	}
	for _, w := range []string{"key=k2", `key="(cannot be read)"`, want[3].Where} {
		if !strings.Contains(log.String(), w) {
			t.Errorf("the log lacks %q:\n%s", w, log.String())
		}
	}

	// Through a Store: by prefix, with the unreadable record always.
	s := checkpoint.New(d, nil)
	var keys []string
	if err := s.Damage(ctx, "k", func(dm checkpoint.Damage) error {
		keys = append(keys, dm.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, []string{"k2", ""}) {
		t.Fatalf("Store.Damage(k) reported keys %q, want k2 and the unreadable one", keys)
	}
}

// TestPackAdjacentDamage: damage that hits two records in a row, the
// second in its magic, leaves the second's identity to find: both are
// corrupt entries, and the records after them read.
func TestPackAdjacentDamage(t *testing.T) {
	dir := t.TempDir()
	a := openT(t, dir, nil)
	for _, k := range []string{"a", "b", "c", "d"} {
		putT(t, a, k, []byte("value of "+k))
	}
	a.Close()
	pack := packFiles(t, dir)[0]
	offs, _ := recordsOf(t, pack)
	flip(t, pack, offs[0]+8, 0x01) // a's data length
	flip(t, pack, offs[1], 0x01)   // b's magic
	d := openT(t, dir, nil)
	corruptT(t, d, "a")
	corruptT(t, d, "b")
	for _, k := range []string{"c", "d"} {
		if got := getT(t, d, k); string(got) != "value of "+k {
			t.Fatalf("%s = %q", k, got)
		}
	}
}

// TestPackDamageRules pins the rest of pack_damage.go's rules: a damaged
// touch is dropped (its version is in its data), a damaged seal still
// seals, and unreadable bytes keep no pack from a sweep.
func TestPackDamageRules(t *testing.T) {
	ctx := context.Background()
	t.Run("touch", func(t *testing.T) {
		dir := t.TempDir()
		a := openT(t, dir, nil)
		putT(t, a, "k", []byte("v"))
		put, err := a.Stat(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Touch(ctx, "k", put.ModTime.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		a.Close()
		pack := packFiles(t, dir)[0]
		offs, recs := recordsOf(t, pack)
		flip(t, pack, offs[slices.IndexFunc(recs, func(r record) bool { return r.kind == recTouch })]+20, 0xff)
		d := openT(t, dir, nil)
		if at, err := d.Stat(ctx, "k"); err != nil || !at.ModTime.Equal(put.ModTime) {
			t.Fatalf("Stat k = %+v, %v; want the put's time, %v", at, err, put.ModTime)
		}
		var got []string
		d.Damage(ctx, func(dm driver.Damage) error { got = append(got, dm.Detail); return nil })
		if len(got) != 1 || !strings.Contains(got[0], `a read-time record of "k" is damaged`) {
			t.Fatalf("Damage = %q", got)
		}
	})
	t.Run("seal", func(t *testing.T) {
		dir := t.TempDir()
		a := openT(t, dir, nil)
		putT(t, a, "k", []byte("v"))
		a.Close()
		pack := packFiles(t, dir)[0]
		offs, recs := recordsOf(t, pack)
		flip(t, pack, offs[len(offs)-1]+20, 0xff)
		if recs[len(recs)-1].kind != recSeal {
			t.Fatalf("the last record is not a seal: %+v", recs[len(recs)-1])
		}
		d := openT(t, dir, nil)
		if got := getT(t, d, "k"); string(got) != "v" {
			t.Fatalf("k = %q", got)
		}
		d.packs.mu.Lock()
		sealed := d.packs.packs[filepath.Base(pack)].sealed
		d.packs.mu.Unlock()
		if !sealed {
			t.Fatal("a pack whose seal is damaged is not sealed")
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		dir := t.TempDir()
		a := openT(t, dir, nil)
		putT(t, a, "x", []byte("lost"))
		putT(t, a, "y", []byte("old"))
		a.Close()
		b := openT(t, dir, nil)
		putT(t, b, "y", []byte("new"))
		b.Close()
		pack := packFiles(t, dir)[0]
		flip(t, pack, recHeaderSize, 0xff) // x's key
		c := openT(t, dir, nil)
		if n, _, err := c.Sweep(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("Sweep = %d, %v; want the pack of x and the old y removed", n, err)
		}
		if got := getT(t, c, "y"); string(got) != "new" {
			t.Fatalf("y = %q", got)
		}
		if err := c.Damage(ctx, func(dm driver.Damage) error { return fmt.Errorf("damage left: %+v", dm) }); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPackMergesFirstFormat: a sweep merges small sealed packs of the first
// format like any others, into a pack of this one, and removes them.
func TestPackMergesFirstFormat(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, packDirName), 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range compactMin + 1 {
		var b []byte
		b = appendRecordV1(b, recPut, fmt.Sprint("k", i), int64(10+i), []byte(fmt.Sprint("v", i)))
		b = appendRecordV1(b, recSeal, "", int64(20+i), nil)
		name := fmt.Sprintf("%019d-%016x%s", 1000+i, i, packSuffixV1)
		if err := os.WriteFile(filepath.Join(dir, packDirName, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d := openT(t, dir, nil)
	if n, _, err := d.Sweep(ctx, time.Now().Add(-time.Hour)); err != nil || n != compactMin+1 {
		t.Fatalf("Sweep = %d, %v; want the %d first-format packs merged and removed", n, err, compactMin+1)
	}
	d.Close()
	if p := packFiles(t, dir); len(p) != 1 || !strings.HasSuffix(p[0], packSuffix) {
		t.Fatalf("packs %q, want one of this format", p)
	}
	e := openT(t, dir, nil)
	for i := range compactMin + 1 {
		if got := getT(t, e, fmt.Sprint("k", i)); string(got) != fmt.Sprint("v", i) {
			t.Fatalf("k%d = %q", i, got)
		}
		if at, err := e.Stat(ctx, fmt.Sprint("k", i)); err != nil || at.ModTime.UnixNano() != int64(10+i) {
			t.Fatalf("Stat k%d = %+v, %v; want its version kept", i, at, err)
		}
	}
}
