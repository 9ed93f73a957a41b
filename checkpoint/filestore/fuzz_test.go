package filestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// FuzzPackFile reads arbitrary bytes as a pack file written by another
// process: the Driver must not panic; every entry it lists must read back
// with the size it lists, from within the file, or be a damaged record
// (size 0, Get fails with checkpoint.ErrCorrupt) that Damage reports as its
// key's current one; and Damage must place all damage within the file.
func FuzzPackFile(f *testing.F) {
	var good []byte
	good = appendRecord(good, recPut, "a", 1, []byte("alpha"))
	good = appendRecord(good, recPut, "b/c", 2, []byte("beta"))
	good = appendRecord(good, recTouch, "a", 3, nil)
	good = appendRecord(good, recDelete, "b/c", 4, nil)
	good = appendRecord(good, recPut, "d", 5, make([]byte, 300))
	f.Add(good)
	f.Add(good[:len(good)-7])
	f.Add(appendRecord(good, recSeal, "", 6, nil))
	f.Add(appendRecord(nil, recPut, "", 1, nil))
	f.Add(appendRecord(nil, recPut, "../x", 1, []byte("y")))
	f.Add(appendRecord(nil, recPut, "a\x00b", 1, []byte("y")))
	f.Add([]byte(recMagic))
	var v1 []byte // the first format, and a record of this one after it
	v1 = appendRecordV1(v1, recPut, "a", 1, []byte("alpha"))
	v1 = appendRecordV1(v1, recTouch, "a", 2, touchData(1))
	f.Add(appendRecord(v1, recPut, "b", 3, []byte("beta")))
	damaged := appendRecord(nil, recPut, "a", 1, []byte("alpha"))
	damaged[8] ^= 1 // the data length: a damaged put, whose identity holds
	f.Add(append(damaged, good...))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, packDirName), 0o700); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, packDirName, "0000000000000000001-0000000000000001"+packSuffix)
		if err := os.WriteFile(name, b, 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := Open(dir, &Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		ctx := context.Background()
		var attrs []driver.Attrs
		if err := d.List(ctx, "", func(a driver.Attrs) error { attrs = append(attrs, a); return nil }); err != nil {
			t.Fatalf("List: %v", err)
		}
		current := map[string]bool{}
		if err := d.Damage(ctx, func(dm driver.Damage) error {
			var off int64
			if _, err := fmt.Sscanf(dm.Where, "offset %d of ", &off); err != nil || off < 0 || off >= int64(len(b)) {
				t.Fatalf("damage %+v is not within the %d bytes", dm, len(b))
			}
			if dm.Current {
				current[dm.Key] = true
			}
			return nil
		}); err != nil {
			t.Fatalf("Damage: %v", err)
		}
		for _, a := range attrs {
			v, err := d.Get(ctx, a.Key)
			if errors.Is(err, checkpoint.ErrCorrupt) && a.Size == 0 && current[a.Key] {
				continue
			}
			if err != nil {
				t.Fatalf("Get %q listed with %d bytes: %v", a.Key, a.Size, err)
			}
			if int64(len(v)) != a.Size {
				t.Fatalf("Get %q = %d bytes, listed %d", a.Key, len(v), a.Size)
			}
		}
		// A key the bytes cannot hold is absent, as it should be.
		if _, err := d.Get(ctx, "no/such/key"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Get of an absent key: %v", err)
		}
	})
}
