package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// listBatch is how many rows List reads per query.
const listBatch = 1000

// List implements driver.Driver. It reads the matching rows in key order, a
// batch at a time, and calls fn with no statement open, so fn may use the
// store (delete what it is shown, for example) and the database is never
// held for longer than one batch.
func (s *store) List(ctx context.Context, prefix string, fn func(driver.Attrs) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	after, first := "", true
	for {
		batch, err := s.listBatch(ctx, prefix, after, first)
		if err != nil {
			return fmt.Errorf("sqlstore: list %q: %w", prefix, err)
		}
		for _, a := range batch {
			if err := fn(a); err != nil {
				return err
			}
		}
		if len(batch) < listBatch {
			return nil
		}
		after, first = batch[len(batch)-1].Key, false
	}
}

// listBatch returns up to listBatch entries with the prefix, in key order,
// with keys after after (or from the first, when first is set).
func (s *store) listBatch(ctx context.Context, prefix, after string, first bool) ([]driver.Attrs, error) {
	q := `SELECT key, size, atime FROM ` + Table + ` WHERE key >= ?`
	args := []any{prefix}
	if !first {
		q += ` AND key > ?`
		args = append(args, after)
	}
	if end, ok := prefixEnd(prefix); ok {
		q += ` AND key < ?`
		args = append(args, end)
	}
	q += ` ORDER BY key LIMIT ?`
	args = append(args, listBatch)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var batch []driver.Attrs
	for rows.Next() {
		var a driver.Attrs
		var atime int64
		if err := rows.Scan(&a.Key, &a.Size, &atime); err != nil {
			return nil, err
		}
		a.ModTime = time.Unix(0, atime)
		batch = append(batch, a)
	}
	return batch, rows.Err()
}

// prefixEnd returns the least string greater than every string with the
// prefix, or false when there is none (the prefix is empty or all 0xff).
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
