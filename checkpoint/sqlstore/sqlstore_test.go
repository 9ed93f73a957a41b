package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/checkpoint/drivertest"
	"github.com/cairnlabs/cairn/checkpoint/sqlstore"
)

// open opens the database file at path and closes it when tb ends.
func open(tb testing.TB, path string) driver.Driver {
	tb.Helper()
	u := &url.URL{Scheme: sqlstore.Scheme, Path: path}
	d, err := sqlstore.Open(context.Background(), u)
	if err != nil {
		tb.Fatalf("Open(%s): %v", u, err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	return d
}

func TestConformance(t *testing.T) {
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
		return open(t, filepath.Join(t.TempDir(), "ckpt.db"))
	})
}

// TestTwoHandles has two independent *sql.DB handles on one file (as two
// processes would have) Put different values under one key at once while
// each reads it back: every read is one whole value, and both handles agree
// at the end.
func TestTwoHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	ds := []driver.Driver{open(t, path), open(t, path)}
	ctx := context.Background()
	value := func(w int) []byte { return bytes.Repeat([]byte{byte('a' + w)}, 10000+w*100) }
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w, d := range ds {
		wg.Go(func() {
			v := value(w)
			for range 20 {
				if err := d.Put(ctx, "same/key", bytes.NewReader(v), int64(len(v))); err != nil {
					errs <- err
					return
				}
				got, err := d.Get(ctx, "same/key")
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, value(0)) && !bytes.Equal(got, value(1)) {
					errs <- fmt.Errorf("torn read: %d bytes starting %q", len(got), got[:1])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	a, err := ds[0].Get(ctx, "same/key")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ds[1].Get(ctx, "same/key")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("handles disagree: %d and %d bytes", len(a), len(b))
	}
}

// TestListBatches lists more entries than one batch holds, with a prefix
// that cuts through them, and deletes what it is shown as it goes.
func TestListBatches(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "many.db")+"?_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // fn's Delete must not need a second connection
	d, err := sqlstore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2500 {
		for _, p := range []string{"a", "b", "c"} {
			_, err := tx.Exec(`INSERT INTO `+sqlstore.Table+` VALUES (?, x'00', 1, 0, 0)`, fmt.Sprintf("%s/%05d", p, i))
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	n := 0
	err = d.List(ctx, "b/", func(a driver.Attrs) error {
		if !strings.HasPrefix(a.Key, "b/") || a.Size != 1 {
			return fmt.Errorf("unexpected entry %+v", a)
		}
		n++
		return d.Delete(ctx, a.Key)
	})
	if err != nil || n != 2500 {
		t.Fatalf("List = %d entries, %v; want 2500, nil", n, err)
	}
	var left int
	if err := db.QueryRow(`SELECT count(*) FROM ` + sqlstore.Table).Scan(&left); err != nil || left != 5000 {
		t.Fatalf("rows left = %d, %v; want 5000", left, err)
	}
}

func TestOpenURLs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := []string{
		"sqlite://" + filepath.ToSlash(dir) + "/a.db",
		"sqlite://" + filepath.ToSlash(dir) + "/sub/dir/b.db?busy_timeout=5s&synchronous=normal",
	}
	for _, raw := range good {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		d, err := sqlstore.Open(ctx, u)
		if err != nil {
			t.Errorf("Open(%s): %v", raw, err)
			continue
		}
		if err := d.Put(ctx, "k", strings.NewReader("v"), 1); err != nil {
			t.Errorf("Put on %s: %v", raw, err)
		}
		d.Close()
	}
	bad := []string{
		"sqlite://ckpt.db",         // a host, not a path
		"sqlite:///",               // no file
		"sqlite:///tmp/x.db?wal=1", // unknown parameter
		"sqlite:///tmp/x.db?busy_timeout=soon",
		"sqlite:///tmp/x.db?synchronous=off",
		"sqlite:///dev/null/x/y.db", // directory cannot be made
		"postgres:///x.db",          // not our scheme
	}
	for _, raw := range bad {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		d, err := sqlstore.Open(ctx, u)
		if err == nil {
			d.Close()
			t.Errorf("Open(%s) succeeded, want an error", raw)
			continue
		}
		if !strings.HasPrefix(err.Error(), "sqlstore: ") {
			t.Errorf("Open(%s) error %q lacks the package prefix", raw, err)
		}
	}
}

// TestTouchAbsent checks that touching an absent key says so.
func TestTouchAbsent(t *testing.T) {
	d := open(t, filepath.Join(t.TempDir(), "t.db"))
	err := d.(driver.Toucher).Touch(context.Background(), "nope", testTime)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Touch of an absent key = %v, want fs.ErrNotExist", err)
	}
}

var testTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// TestOpenExisting checks create=false: a missing file is not created, and
// a SQLite file that is not a checkpoint store is refused.
func TestOpenExisting(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "typo", "ckpt.db")
	drivertest.RunOpenExisting(t, "sqlite://"+filepath.ToSlash(file), func() bool {
		_, err := os.Stat(filepath.Dir(file))
		return errors.Is(err, fs.ErrNotExist)
	})
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := checkpoint.OpenExisting(context.Background(), "sqlite://"+filepath.ToSlash(other))
	if err == nil {
		s.Close()
	}
	if !errors.Is(err, checkpoint.ErrNoStore) || !strings.Contains(err.Error(), sqlstore.Table) {
		t.Fatalf("OpenExisting of a SQLite file without the table = %v, want ErrNoStore naming %s", err, sqlstore.Table)
	}
}
