// Package sqlstore is a checkpoint store driver that keeps every checkpoint
// as a row of one table in a SQLite database file, through the pure-Go
// modernc.org/sqlite (no cgo).
//
// # URLs
//
// Importing the package registers the scheme "sqlite" with the checkpoint
// package:
//
//	sqlite:///scratch/run1/checkpoints.db      an absolute path
//	sqlite:checkpoints.db                      a path relative to the working directory
//	sqlite:///scratch/ckpt.db?synchronous=normal&busy_timeout=1m
//
// The file and its directory are created when missing, unless create=false
// (checkpoint.OpenExisting) asks for an existing store only: a missing file,
// or one without the checkpoint table, is then an error matching
// checkpoint.ErrNoStore. Query parameters:
// busy_timeout (a Go duration, default 30s) is how long a write waits for
// another writer; synchronous is FULL (the default: a checkpoint is on disk
// when Put returns) or NORMAL (faster; survives the program's crash, but a
// power failure may lose the last checkpoints).
//
// A database already open in the program is wrapped with New, which
// creates the table if it is missing; the caller keeps the *sql.DB.
//
// # Layout and guarantees
//
// One table, named by Table:
//
//	key   TEXT PRIMARY KEY   the checkpoint key
//	data  BLOB               the bytes
//	size  INTEGER            len(data)
//	mtime INTEGER            last write, Unix nanoseconds
//	atime INTEGER            last write or Touch, Unix nanoseconds; reported as ModTime
//
// The database runs in WAL mode with a busy timeout and immediate
// transactions, so several goroutines and several processes on one machine
// may read and write it at once: readers never wait for writers, writers
// take turns. (WAL needs shared memory: do not put the file on a network
// file system for processes on different machines.) A Put reads its whole
// value first and then replaces the row in one transaction, so it is atomic,
// and a failed Put changes nothing. Values are held in memory whole, and
// SQLite limits a value to 1 GB by default: for checkpoints much larger than
// some tens of MiB, a file or object store suits better. Space freed by
// Delete is reused by later Puts, but the file does not shrink until it is
// vacuumed (sqlite3 ckpt.db VACUUM).
//
// The driver implements driver.Toucher (Touch sets atime, for LRU garbage
// collection) and driver.RangeGetter (SQLite's substr).
package sqlstore
