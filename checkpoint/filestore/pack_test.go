package filestore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

func openT(t *testing.T, dir string, opts *Options) *Driver {
	t.Helper()
	d, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func putT(t *testing.T, d *Driver, key string, b []byte) {
	t.Helper()
	if err := d.Put(context.Background(), key, bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatalf("Put %q: %v", key, err)
	}
}

func getT(t *testing.T, d *Driver, key string) []byte {
	t.Helper()
	b, err := d.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get %q: %v", key, err)
	}
	return b
}

func absentT(t *testing.T, d *Driver, key string) {
	t.Helper()
	if b, err := d.Get(context.Background(), key); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get %q = %q, %v; want fs.ErrNotExist", key, b, err)
	}
	if _, err := d.Stat(context.Background(), key); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat %q = %v; want fs.ErrNotExist", key, err)
	}
}

// corruptT checks that key's entry is damaged: Get and GetRange fail with
// checkpoint.ErrCorrupt, and Stat finds it with size 0.
func corruptT(t *testing.T, d *Driver, key string) {
	t.Helper()
	ctx := context.Background()
	if b, err := d.Get(ctx, key); !errors.Is(err, checkpoint.ErrCorrupt) {
		t.Fatalf("Get %q = %q, %v; want checkpoint.ErrCorrupt", key, b, err)
	}
	if b, err := d.GetRange(ctx, key, 0, 10); !errors.Is(err, checkpoint.ErrCorrupt) {
		t.Fatalf("GetRange %q = %q, %v; want checkpoint.ErrCorrupt", key, b, err)
	}
	if a, err := d.Stat(ctx, key); err != nil || a.Size != 0 {
		t.Fatalf("Stat %q = %+v, %v; want the entry, with size 0", key, a, err)
	}
}

func keysT(t *testing.T, d *Driver, prefix string) []string {
	t.Helper()
	var keys []string
	if err := d.List(context.Background(), prefix, func(a driver.Attrs) error {
		keys = append(keys, a.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

func packFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, packDirName, "*"+packSuffix))
	if err != nil {
		t.Fatal(err)
	}
	v1, err := filepath.Glob(filepath.Join(dir, packDirName, "*"+packSuffixV1))
	if err != nil {
		t.Fatal(err)
	}
	m = append(m, v1...)
	slices.Sort(m)
	return m
}

// TestPackSmallEntriesShareAFile checks that small entries go to one pack
// file and large ones to files of their own, and that both read back.
func TestPackSmallEntriesShareAFile(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir, nil)
	for i := range 100 {
		putT(t, d, fmt.Sprintf("f/%d", i), []byte(fmt.Sprint("value ", i)))
	}
	big := bytes.Repeat([]byte("x"), DefaultPackMax+1)
	putT(t, d, "big", big)
	if p := packFiles(t, dir); len(p) != 1 {
		t.Fatalf("pack files %q, want one", p)
	}
	if _, err := os.Stat(filepath.Join(dir, "big"+entrySuffix)); err != nil {
		t.Fatalf("the large entry has no file of its own: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "f", "1"+entrySuffix)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a small entry has a file of its own: %v", err)
	}
	if got := keysT(t, d, "f/"); len(got) != 100 {
		t.Fatalf("List f/ gave %d keys, want 100", len(got))
	}
	// A fresh Driver over the directory reads them all.
	e := openT(t, dir, nil)
	for i := range 100 {
		if got, want := getT(t, e, fmt.Sprintf("f/%d", i)), fmt.Sprint("value ", i); string(got) != want {
			t.Fatalf("f/%d = %q, want %q", i, got, want)
		}
	}
	if !bytes.Equal(getT(t, e, "big"), big) {
		t.Fatal("big read back wrong")
	}
	if got, err := e.GetRange(context.Background(), "f/42", 6, 100); err != nil || string(got) != "42" {
		t.Fatalf("GetRange = %q, %v; want \"42\"", got, err)
	}
}

// TestPackSharedBetweenProcesses runs two Drivers over one directory, as two
// processes would: each sees the other's writes, overwrites and deletes, and
// a key's own file and its packed entries never contradict each other.
func TestPackSharedBetweenProcesses(t *testing.T) {
	dir := t.TempDir()
	a, b := openT(t, dir, nil), openT(t, dir, &Options{NoSync: true})
	putT(t, a, "k", []byte("a1"))
	if got := getT(t, b, "k"); string(got) != "a1" {
		t.Fatalf("b reads %q, want a1", got)
	}
	putT(t, b, "k", []byte("b1"))
	if got := getT(t, a, "k"); string(got) != "b1" {
		t.Fatalf("a reads %q after b's overwrite, want b1", got)
	}
	if err := a.Delete(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	absentT(t, b, "k")
	putT(t, b, "k", []byte("b2"))
	if got := getT(t, a, "k"); string(got) != "b2" {
		t.Fatalf("a reads %q after b's write over a delete, want b2", got)
	}

	// A large entry (a file of its own) over a packed one, then a small
	// one over the large one.
	big := bytes.Repeat([]byte("L"), DefaultPackMax+10)
	putT(t, a, "k", big)
	if got := getT(t, b, "k"); !bytes.Equal(got, big) {
		t.Fatalf("b reads %d bytes, want the large entry", len(got))
	}
	putT(t, b, "k", []byte("b3"))
	if got := getT(t, a, "k"); string(got) != "b3" {
		t.Fatalf("a reads %q after a small write over a large one, want b3", got)
	}
	if got := keysT(t, a, ""); !slices.Equal(got, []string{"k"}) {
		t.Fatalf("List = %q, want [k] once", got)
	}
	if err := b.Delete(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	absentT(t, a, "k")
	absentT(t, b, "k")
	if got := keysT(t, a, ""); len(got) != 0 {
		t.Fatalf("List after delete = %q", got)
	}

	// Touch sets a packed entry's ModTime at once, and for the other
	// Driver once the toucher writes again or closes.
	putT(t, a, "t", []byte("x"))
	when := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := a.Touch(context.Background(), "t", when); err != nil {
		t.Fatal(err)
	}
	if at, err := a.Stat(context.Background(), "t"); err != nil || !at.ModTime.Equal(when) {
		t.Fatalf("Stat after Touch = %+v, %v; want ModTime %v", at, err, when)
	}
	a.Close()
	if at, err := b.Stat(context.Background(), "t"); err != nil || !at.ModTime.Equal(when) || at.Size != 1 {
		t.Fatalf("b's Stat after a's Touch = %+v, %v; want ModTime %v", at, err, when)
	}
}

// damage rewrites the pack file at path with f applied to each put record's
// data (the checkpoint frame) or header.
func recordsOf(t *testing.T, path string) (offs []int64, recs []record) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(bytes.NewReader(b))
	var off int64
	for {
		rec, err := readRecord(r)
		if err == io.EOF {
			return offs, recs
		}
		if err != nil {
			t.Fatalf("pack %s: a record at %d does not read back: %v", path, off, err)
		}
		offs, recs = append(offs, off), append(recs, rec)
		off += rec.size()
	}
}

// TestPackDamage checks that a damaged pack never gives a wrong value: a
// flipped payload byte reads back as checkpoint.ErrCorrupt, and so does a
// damaged magic (the record's identity still checks out); a damaged key
// makes its record absent; a cut (torn) tail makes its record and those
// after it absent; and the other records still read back.
func TestPackDamage(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (string, []string, string) {
		dir := t.TempDir()
		s := checkpoint.New(openT(t, dir, nil), nil)
		var keys []string
		for i := range 5 {
			k := fmt.Sprintf("k%d", i)
			if _, err := s.Put(ctx, k, []float64{float64(i), 1, 2}, checkpoint.Meta{}); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		s.Close()
		p := packFiles(t, dir)
		if len(p) != 1 {
			t.Fatalf("packs %q, want 1", p)
		}
		return dir, keys, p[0]
	}
	// offsetOf returns the offset of key's put record in the pack.
	offsetOf := func(t *testing.T, path, key string) (int64, record) {
		offs, recs := recordsOf(t, path)
		for i, r := range recs {
			if r.kind == recPut && r.key == key {
				return offs[i], r
			}
		}
		t.Fatalf("no put record of %q", key)
		return 0, record{}
	}
	rewrite := func(t *testing.T, path string, f func([]byte) []byte) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	check := func(t *testing.T, dir string, keys []string, wantOK, wantCorrupt map[string]bool) {
		t.Helper()
		s := checkpoint.New(openT(t, dir, nil), nil)
		defer s.Close()
		for i, k := range keys {
			v, _, err := s.Get(ctx, k, nil)
			switch {
			case wantOK[k]:
				if want := []float64{float64(i), 1, 2}; err != nil || !reflect.DeepEqual(v, want) {
					t.Errorf("Get %s = %v, %v; want %v", k, v, err, want)
				}
			case wantCorrupt[k]:
				if !errors.Is(err, checkpoint.ErrCorrupt) || v != nil {
					t.Errorf("Get %s = %v, %v; want ErrCorrupt", k, v, err)
				}
			default:
				if !errors.Is(err, checkpoint.ErrNotFound) || v != nil {
					t.Errorf("Get %s = %v, %v; want ErrNotFound", k, v, err)
				}
			}
		}
	}
	t.Run("payload", func(t *testing.T) {
		dir, keys, path := setup(t)
		off, rec := offsetOf(t, path, "k2")
		rewrite(t, path, func(b []byte) []byte {
			b[off+rec.size()-1] ^= 0x40
			return b
		})
		check(t, dir, keys, map[string]bool{"k0": true, "k1": true, "k3": true, "k4": true}, map[string]bool{"k2": true})
	})
	t.Run("header", func(t *testing.T) {
		dir, keys, path := setup(t)
		off, _ := offsetOf(t, path, "k2")
		rewrite(t, path, func(b []byte) []byte {
			b[off+recHeaderSize] ^= 0x01 // the key
			return b
		})
		check(t, dir, keys, map[string]bool{"k0": true, "k1": true, "k3": true, "k4": true}, nil)
	})
	t.Run("magic", func(t *testing.T) {
		dir, keys, path := setup(t)
		off, _ := offsetOf(t, path, "k1")
		rewrite(t, path, func(b []byte) []byte {
			b[off] ^= 0x20
			return b
		})
		check(t, dir, keys, map[string]bool{"k0": true, "k2": true, "k3": true, "k4": true}, map[string]bool{"k1": true})
	})
	t.Run("torn tail", func(t *testing.T) {
		dir, keys, path := setup(t)
		off, rec := offsetOf(t, path, "k3")
		for _, cut := range []int64{off + 1, off + recHeaderSize, off + rec.size() - 1} {
			rewrite(t, path, func(b []byte) []byte { return b[:cut] })
			check(t, dir, keys, map[string]bool{"k0": true, "k1": true, "k2": true}, nil)
		}
	})
}

// TestPackFailedWrite checks a Put whose append fails (a full disk): it
// reports the error, the old entry stays, a fresh process never sees the
// torn record, and the Driver goes on in a new pack.
func TestPackFailedWrite(t *testing.T) {
	dir := t.TempDir()
	putT(t, openT(t, dir, nil), "k", []byte("old"))
	ffs := &limitFS{FS: OS(), left: 10}
	d := openT(t, dir, &Options{FS: ffs})
	if err := d.Put(context.Background(), "k", bytes.NewReader([]byte("new value")), 9); err == nil {
		t.Fatal("a Put past the disk's end succeeded")
	}
	if got := getT(t, openT(t, dir, nil), "k"); string(got) != "old" {
		t.Fatalf("a fresh process reads %q after the failed Put, want old", got)
	}
	ffs.left = 1 << 20
	putT(t, d, "k", []byte("newer"))
	putT(t, d, "j", []byte("j"))
	e := openT(t, dir, nil)
	if got := getT(t, e, "k"); string(got) != "newer" {
		t.Fatalf("a fresh process reads %q, want newer", got)
	}
	if got := keysT(t, e, ""); !slices.Equal(got, []string{"j", "k"}) {
		t.Fatalf("List = %q", got)
	}
	if n := len(packFiles(t, dir)); n != 3 {
		t.Fatalf("%d packs, want 3: the first Driver's, the torn one, the next", n)
	}
}

// limitFS fails writes once left bytes have been written, after writing
// what fits (a full disk).
type limitFS struct {
	FS
	left int
}

func (l *limitFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	f, err := l.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &limitFile{File: f, fs: l}, nil
}

type limitFile struct {
	File
	fs *limitFS
}

func (f *limitFile) Write(p []byte) (int, error) {
	n := min(len(p), f.fs.left)
	n, err := f.File.Write(p[:n])
	f.fs.left -= n
	if err == nil && n < len(p) {
		err = fmt.Errorf("write %s: %w", f.Name(), errors.New("no space left on device"))
	}
	return n, err
}

// TestPackSweep checks that garbage collection removes packs whose records
// all died, keeps those with a live record or a needed delete, and never
// loses a live entry.
func TestPackSweep(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	for i := range 10 {
		putT(t, a, fmt.Sprint(i), []byte("a"))
	}
	a.Close() // sealed
	b := openT(t, dir, nil)
	for i := range 10 {
		putT(t, b, fmt.Sprint(i), []byte("b")) // a's records all die
	}
	if err := b.Delete(ctx, "9"); err != nil {
		t.Fatal(err)
	}
	c := openT(t, dir, nil)
	n, size, err := c.Sweep(ctx, time.Now().Add(-time.Hour))
	if err != nil || n != 1 || size == 0 {
		t.Fatalf("Sweep = %d, %d, %v; want a's pack removed", n, size, err)
	}
	// b's pack is alive (and still open for writing): it stays.
	for i := range 9 {
		if got := getT(t, c, fmt.Sprint(i)); string(got) != "b" {
			t.Fatalf("%d = %q after sweep, want b", i, got)
		}
	}
	absentT(t, c, "9")
	if got := getT(t, b, "3"); string(got) != "b" {
		t.Fatalf("b reads %q after c's sweep, want b", got)
	}
	// Delete everything: once b closes, its pack holds only dead records
	// and deletes of keys with no older put left.
	for i := range 9 {
		if err := c.Delete(ctx, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	b.Close()
	c.Close()
	e := openT(t, dir, nil)
	// A key's newest delete stays while younger than before (a merge in
	// flight may copy an older put): a before past the deletes lets them go.
	if n, _, err := e.Sweep(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("Sweep = %d, %v; want b's and c's packs removed", n, err)
	}
	if p := packFiles(t, dir); len(p) != 0 {
		t.Fatalf("packs left: %q", p)
	}
	if got := keysT(t, e, ""); len(got) != 0 {
		t.Fatalf("List = %q after deleting everything", got)
	}
}

// TestPackGCReclaimsDeadPacks checks that one garbage collection both
// deletes the entries it selects and removes the pack files that leaves
// dead.
func TestPackGCReclaimsDeadPacks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	runStore := func(run string, keys ...string) {
		s := checkpoint.New(openT(t, dir, nil), nil)
		rctx := checkpoint.WithRun(ctx, run)
		for _, k := range keys {
			if _, err := s.Put(rctx, k, 1.5, checkpoint.Meta{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.EndRun(rctx, run); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	runStore("run-1", "a", "b")
	first := packFiles(t, dir)
	if len(first) != 1 {
		t.Fatalf("run 1 left packs %q, want 1", first)
	}
	runStore("run-2", "c")
	s := checkpoint.New(openT(t, dir, nil), nil)
	defer s.Close()
	rep, err := s.GC(ctx, checkpoint.GCPolicy{NotLastRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Deleted, []string{"a", "b"}) || rep.Swept < 1 || rep.SweptBytes == 0 {
		t.Fatalf("GC = %+v; want a and b deleted and run 1's pack swept", rep)
	}
	if slices.Contains(packFiles(t, dir), first[0]) {
		t.Fatalf("run 1's pack %s outlived the GC that deleted everything in it", first[0])
	}
	if v, _, err := s.Get(ctx, "c", nil); err != nil || v != 1.5 {
		t.Fatalf("Get c = %v, %v after GC", v, err)
	}
}

// TestPackDamageKeepsNewerVersions checks that damage in the middle of a
// pack does not bring back an older version from another pack: the
// overwrite and the delete after the damaged record still count.
func TestPackDamageKeepsNewerVersions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openT(t, dir, nil)
	putT(t, a, "k", []byte("old"))
	putT(t, a, "gone", []byte("old"))
	a.Close()
	b := openT(t, dir, nil)
	putT(t, b, "x", []byte("damaged soon"))
	putT(t, b, "k", []byte("new"))
	if err := b.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	b.Close()
	var path string
	for _, p := range packFiles(t, dir) {
		offs, recs := recordsOf(t, p)
		for i, r := range recs {
			if r.key == "x" {
				path = p
				bs, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				bs[offs[i]+20] ^= 0xff // the header checksum
				if err := os.WriteFile(p, bs, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if path == "" {
		t.Fatal("no record of x")
	}
	c := openT(t, dir, nil)
	corruptT(t, c, "x")
	if got := getT(t, c, "k"); string(got) != "new" {
		t.Fatalf("k = %q after damage before its overwrite, want new", got)
	}
	absentT(t, c, "gone")
}

// TestPackSweepMergesSmallPacks checks that a sweep over many small sealed
// packs (one per process that wrote) merges them into a few, and that no
// key's value, absence or ModTime changes, for this Driver or a fresh one.
func TestPackSweepMergesSmallPacks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	defer func(n int) { closeMergeMin = n }(closeMergeMin)
	closeMergeMin = 1 << 30 // the sweep merges, not a closing Driver
	// A long-lived writer holds an old put of "d" in its (unsealed) pack;
	// a later process deletes it: the delete must outlive the merge.
	live := openT(t, dir, nil)
	putT(t, live, "d", []byte("deleted later"))
	when := time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC)
	for i := range 20 {
		d := openT(t, dir, nil)
		putT(t, d, fmt.Sprintf("k/%d", i), []byte(fmt.Sprint("v", i)))
		putT(t, d, "shared", []byte(fmt.Sprint("s", i)))
		if i == 5 {
			if err := d.Delete(ctx, "d"); err != nil {
				t.Fatal(err)
			}
			putT(t, d, "gone", []byte("x"))
		}
		if i == 9 {
			if err := d.Delete(ctx, "gone"); err != nil {
				t.Fatal(err)
			}
			if err := d.Touch(ctx, "k/3", when); err != nil {
				t.Fatal(err)
			}
		}
		d.Close()
	}
	state := func(d *Driver) map[string]string {
		out := map[string]string{}
		for _, k := range keysT(t, d, "") {
			a, err := d.Stat(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			out[k] = string(getT(t, d, k)) + " @ " + a.ModTime.UTC().Format(time.RFC3339Nano)
		}
		return out
	}
	before := state(openT(t, dir, nil))
	if len(packFiles(t, dir)) < 21 {
		t.Fatalf("%d packs before the sweep, want 21", len(packFiles(t, dir)))
	}
	s := openT(t, dir, nil)
	n, _, err := s.Sweep(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("Sweep removed %d packs, want the 20 small sealed ones", n)
	}
	if left := packFiles(t, dir); len(left) > 2 {
		t.Fatalf("packs left: %d, want the live writer's and the sweeper's", len(left))
	}
	for name, d := range map[string]*Driver{"sweeper": s, "fresh": openT(t, dir, nil)} {
		if got := state(d); !reflect.DeepEqual(got, before) {
			t.Fatalf("%s sees %v after the merge, want %v", name, got, before)
		}
		absentT(t, d, "d")
		absentT(t, d, "gone")
	}
	if !strings.HasPrefix(before["k/3"], "v3 @ 2021-05-06T07:08:09") || before["shared"][:3] != "s19" {
		t.Fatalf("the state before the merge is not what was written: %v", before)
	}
}

// TestPackCloseMergesManyPacks checks that packs do not pile up one per
// process in a store nobody garbage-collects: a Driver that has read the
// store merges the small sealed packs when it closes and finds too many.
func TestPackCloseMergesManyPacks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	most := 0
	for i := range 2*closeMergeMin + 5 {
		d := openT(t, dir, nil)
		if _, err := d.Get(ctx, "restore/attempt"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		putT(t, d, fmt.Sprintf("run/%d", i), []byte(fmt.Sprint(i)))
		putT(t, d, "latest", []byte(fmt.Sprint(i)))
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		most = max(most, len(packFiles(t, dir)))
	}
	// A fresh process opens every pack before its first read: few, not 32.
	if most > compactMin+2 {
		t.Fatalf("%d packs at the most, want at most %d", most, compactMin+2)
	}
	e := openT(t, dir, nil)
	for i := range 2*closeMergeMin + 5 {
		if got := getT(t, e, fmt.Sprintf("run/%d", i)); string(got) != fmt.Sprint(i) {
			t.Fatalf("run/%d = %q after merges", i, got)
		}
	}
	if got := getT(t, e, "latest"); string(got) != fmt.Sprint(2*closeMergeMin+4) {
		t.Fatalf("latest = %q after merges, want the last write", got)
	}
}
