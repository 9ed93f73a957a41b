// Package checkpoint stores the intermediate results of a computation so that
// a run that fails or dies resumes from them instead of starting again.
//
// Users hold a *Store, opened by URL with Open or built over a driver with
// New, in the way of gocloud.dev/blob: the Store holds the logic every
// backend shares (keys, framing, checksums, compression, run records, garbage
// collection) and a small driver.Driver moves bytes. Drivers register a URL
// scheme, as database/sql drivers do, and users blank-import the ones they
// use:
//
//	import (
//		"github.com/cairnlabs/cairn/checkpoint"
//		_ "github.com/cairnlabs/cairn/checkpoint/local" // file:// and mem://
//	)
//
//	store, err := checkpoint.Open(ctx, "file:///scratch/run1")
//
// or import a driver's own package (checkpoint/filestore), or checkpoint/all
// for every driver (it links the cloud SDKs). Store.URL gives back the URL,
// for worker processes to open the same store.
//
// # Integrity
//
// Every value is encoded by package codec and written in a frame (described
// byte by byte in format.go) that carries its Meta, a header checksum and a
// payload checksum, and is written atomically by the driver (a temporary file
// renamed into place, or the store's equivalent). A torn, truncated or
// damaged checkpoint is detected on Get and reported as a *CorruptError,
// never returned as a value; an absent one is an error matching ErrNotFound
// and fs.ErrNotExist. A driver that finds damage with checks of its own
// reports it the same way, as a *CorruptError for the key, and damage it
// cannot put a key to (a pack record whose key was hit, in the file store)
// through Store.Damage. WriteFile and ReadFile give the same guarantees for
// a single file whose path the caller chooses.
//
// # Keys
//
// Keys are '/'-separated names of letters, digits, '.', '_' and '-' (see
// ValidateKey), so that a key never escapes its store and means the same on
// every backend.
//
// # Garbage collection
//
// GC deletes checkpoints by age, by total size (least recently used first)
// and by run: contexts passed to Put and Get carry a run id (WithRun), and
// GCPolicy.NotLastRun deletes what the most recent run neither wrote nor
// read.
package checkpoint
