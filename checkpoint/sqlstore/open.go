package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

func init() { checkpoint.Register(Scheme, Open) }

// Scheme is the URL scheme that Open accepts and that the package registers
// with the checkpoint package.
const Scheme = "sqlite"

// DefaultBusyTimeout is how long a write waits for another connection or
// process to release the database before it fails.
const DefaultBusyTimeout = 30 * time.Second

// Open opens (creating if needed) the SQLite database file that u names and
// returns a driver.Driver over it. The driver owns the database and closes
// it on Close. The URL forms are
//
//	sqlite:///abs/path/ckpt.db
//	sqlite:relative/path/ckpt.db
//
// with optional query parameters busy_timeout (a Go duration, default
// DefaultBusyTimeout) and synchronous (FULL, the default, or NORMAL, which
// is faster and survives a crash of the program but may lose the last
// checkpoints to a power failure). The file and its directory are created if
// missing, unless create=false: then a missing file, or one without the
// checkpoint table, gives a *checkpoint.NoStoreError, and nothing is
// created.
func Open(ctx context.Context, u *url.URL) (driver.Driver, error) {
	path, dsn, create, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	if create {
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			return nil, fmt.Errorf("sqlstore: open %s: %w", u.Redacted(), err)
		}
	} else if err := mustExist(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", u.Redacted(), err)
	}
	if !create {
		err = hasTable(ctx, db, path)
	}
	var d driver.Driver
	if err == nil {
		d, err = New(ctx, db)
	}
	if err != nil {
		_ = db.Close()
		if errors.Is(err, checkpoint.ErrNoStore) {
			return nil, err
		}
		return nil, fmt.Errorf("sqlstore: open %s: %w", u.Redacted(), err)
	}
	d.(*store).owned = true
	return d, nil
}

// mustExist reports a *checkpoint.NoStoreError unless path is a file.
func mustExist(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &checkpoint.NoStoreError{Reason: fmt.Sprintf("database file %s does not exist", path)}
	case err != nil:
		return fmt.Errorf("sqlstore: %w", err)
	case st.IsDir():
		return &checkpoint.NoStoreError{Reason: fmt.Sprintf("%s is a directory, not a database file", path)}
	}
	return nil
}

// hasTable reports a *checkpoint.NoStoreError unless the database holds the
// checkpoint table.
func hasTable(ctx context.Context, db *sql.DB, path string) error {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, Table).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return &checkpoint.NoStoreError{Reason: fmt.Sprintf("%s holds no table %s, so it is not a checkpoint store", path, Table)}
	}
	return nil
}

// parseURL returns the database file's path and the modernc.org/sqlite DSN
// for a sqlite: URL, and whether a missing store may be created.
func parseURL(u *url.URL) (path, dsn string, create bool, err error) {
	bad := func(format string, args ...any) (string, string, bool, error) {
		return "", "", false, fmt.Errorf("sqlstore: bad URL %s: "+format, append([]any{u.Redacted()}, args...)...)
	}
	if u.Scheme != Scheme {
		return bad("scheme is %q, want %q", u.Scheme, Scheme)
	}
	switch {
	case u.Opaque != "":
		path = u.Opaque // sqlite:relative/path.db
	case u.Host != "" && u.Host != "localhost":
		return bad("host %q given; write sqlite:///abs/path.db (three slashes) or sqlite:rel/path.db", u.Host)
	default:
		path = u.Path
	}
	if path == "" || strings.HasSuffix(path, "/") {
		return bad("no database file named; write sqlite:///abs/path.db or sqlite:rel/path.db")
	}
	if strings.ContainsAny(path, "?#") {
		return bad("the file name contains '?' or '#'")
	}
	busy, sync := DefaultBusyTimeout, "FULL"
	create = true
	for k, v := range u.Query() {
		switch k {
		case "create":
			b, err := strconv.ParseBool(v[len(v)-1])
			if err != nil {
				return bad("create %q is neither true nor false", v[len(v)-1])
			}
			create = b
		case "busy_timeout":
			d, err := time.ParseDuration(v[len(v)-1])
			if err != nil || d < 0 {
				return bad("busy_timeout %q is not a duration such as 30s", v[len(v)-1])
			}
			busy = d
		case "synchronous":
			sync = strings.ToUpper(v[len(v)-1])
			if sync != "FULL" && sync != "NORMAL" {
				return bad("synchronous %q is neither FULL nor NORMAL", v[len(v)-1])
			}
		default:
			return bad("unknown query parameter %q (known: busy_timeout, create, synchronous)", k)
		}
	}
	q := url.Values{
		"_busy_timeout": {fmt.Sprint(busy.Milliseconds())},
		"_journal_mode": {"WAL"},
		"_synchronous":  {sync},
		"_txlock":       {"immediate"},
	}
	return path, path + "?" + q.Encode(), create, nil
}
