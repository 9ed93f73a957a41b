package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
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
// checkpoints to a power failure). The directory is created if missing.
func Open(ctx context.Context, u *url.URL) (driver.Driver, error) {
	path, dsn, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", u.Redacted(), err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", u.Redacted(), err)
	}
	d, err := New(ctx, db)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", u.Redacted(), err)
	}
	d.(*store).owned = true
	return d, nil
}

// parseURL returns the database file's path and the modernc.org/sqlite DSN
// for a sqlite: URL.
func parseURL(u *url.URL) (path, dsn string, err error) {
	bad := func(format string, args ...any) (string, string, error) {
		return "", "", fmt.Errorf("sqlstore: bad URL %s: "+format, append([]any{u.Redacted()}, args...)...)
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
	for k, v := range u.Query() {
		switch k {
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
			return bad("unknown query parameter %q (known: busy_timeout, synchronous)", k)
		}
	}
	q := url.Values{
		"_busy_timeout": {fmt.Sprint(busy.Milliseconds())},
		"_journal_mode": {"WAL"},
		"_synchronous":  {sync},
		"_txlock":       {"immediate"},
	}
	return path, path + "?" + q.Encode(), nil
}
