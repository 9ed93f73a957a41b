package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// Table is the name of the table that holds the checkpoints.
const Table = "cairn_checkpoints"

// schema creates the table. mtime is when the entry was last written; atime
// is when it was last written or read (Touch), and is what Stat and List
// report as ModTime. Both are Unix nanoseconds.
const schema = `CREATE TABLE IF NOT EXISTS ` + Table + ` (
	key   TEXT PRIMARY KEY NOT NULL,
	data  BLOB NOT NULL,
	size  INTEGER NOT NULL,
	mtime INTEGER NOT NULL,
	atime INTEGER NOT NULL
)`

// store is a driver.Driver over one SQLite table.
type store struct {
	db     *sql.DB
	owned  bool // Close closes db
	closed atomic.Bool
	// writes serialises this process's writes: SQLite takes one writer at a
	// time, and writers of one process queueing here wait less than writers
	// contending for the database lock, whose busy handler sleeps.
	writes sync.Mutex
}

// The store implements these optional interfaces.
var (
	_ driver.Toucher     = (*store)(nil)
	_ driver.RangeGetter = (*store)(nil)
)

// New returns a driver.Driver that keeps entries in the table named by
// Table in db, creating it if it is missing. db should be a SQLite database
// (modernc.org/sqlite, driver name "sqlite") configured for concurrent use
// as Open does it: WAL journal, a busy timeout and immediate transactions.
//
// The caller keeps ownership of db: closing the driver does not close it.
// The driver is safe for concurrent use by multiple goroutines.
func New(ctx context.Context, db *sql.DB) (driver.Driver, error) {
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("sqlstore: create table %s: %w", Table, err)
	}
	return &store{db: db}, nil
}

// check returns an error once the store is closed or ctx is done.
func (s *store) check(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("sqlstore: %w", fs.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlstore: %w", err)
	}
	return nil
}

// wrap wraps err from operation op on key once, mapping sql.ErrNoRows to
// fs.ErrNotExist.
func wrap(op, key string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		err = fs.ErrNotExist
	}
	return fmt.Errorf("sqlstore: %s %q: %w", op, key, err)
}

// Put implements driver.Driver. It reads the whole value first, then writes
// the row in one transaction, so the database is locked only for the write
// and a failed read changes nothing.
func (s *store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	data, err := readExactly(r, size)
	if err != nil {
		return wrap("put", key, err)
	}
	s.writes.Lock()
	defer s.writes.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap("put", key, err)
	}
	defer tx.Rollback()
	now := time.Now().UnixNano()
	_, err = tx.ExecContext(ctx,
		`INSERT OR REPLACE INTO `+Table+` (key, data, size, mtime, atime) VALUES (?, ?, ?, ?, ?)`,
		key, data, size, now, now)
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return wrap("put", key, err)
	}
	return nil
}

// readExactly reads exactly size bytes from r and checks that r ends there.
func readExactly(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return nil, fmt.Errorf("negative size %d", size)
	}
	data := make([]byte, size)
	if n, err := io.ReadFull(r, data); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) && size > 0 {
			return nil, fmt.Errorf("reader gave %d bytes, want %d", n, size)
		}
		return nil, err
	}
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		if n > 0 {
			return nil, fmt.Errorf("reader gave more than %d bytes", size)
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Get implements driver.Driver.
func (s *store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT data FROM `+Table+` WHERE key = ?`, key).Scan(&data)
	if err != nil {
		return nil, wrap("get", key, err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// GetRange implements driver.RangeGetter; SQLite cuts the range.
func (s *store) GetRange(ctx context.Context, key string, offset, length int64) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("sqlstore: get range %q: negative offset %d or length %d", key, offset, length)
	}
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT substr(data, ?, ?) FROM `+Table+` WHERE key = ?`,
		offset+1, length, key).Scan(&data)
	if err != nil {
		return nil, wrap("get range", key, err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// Stat implements driver.Driver.
func (s *store) Stat(ctx context.Context, key string) (driver.Attrs, error) {
	if err := s.check(ctx); err != nil {
		return driver.Attrs{}, err
	}
	var size, atime int64
	err := s.db.QueryRowContext(ctx, `SELECT size, atime FROM `+Table+` WHERE key = ?`, key).Scan(&size, &atime)
	if err != nil {
		return driver.Attrs{}, wrap("stat", key, err)
	}
	return driver.Attrs{Key: key, Size: size, ModTime: time.Unix(0, atime)}, nil
}

// Delete implements driver.Driver.
func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.writes.Lock()
	defer s.writes.Unlock()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM `+Table+` WHERE key = ?`, key); err != nil {
		return wrap("delete", key, err)
	}
	return nil
}

// Touch implements driver.Toucher: it sets the entry's atime, which Stat and
// List report as its ModTime. Touching an absent key gives fs.ErrNotExist.
func (s *store) Touch(ctx context.Context, key string, t time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.writes.Lock()
	defer s.writes.Unlock()
	res, err := s.db.ExecContext(ctx, `UPDATE `+Table+` SET atime = ? WHERE key = ?`, t.UnixNano(), key)
	if err != nil {
		return wrap("touch", key, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return wrap("touch", key, fs.ErrNotExist)
	}
	return nil
}

// Close implements driver.Driver. It closes the database only when the
// driver opened it (Open). A second Close returns nil.
func (s *store) Close() error {
	if s.closed.Swap(true) || !s.owned {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}
