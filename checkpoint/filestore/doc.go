// Package filestore is a checkpoint store driver over a directory, registered
// for the "file" URL scheme:
//
//	file:///scratch/run1              fsync on (the default)
//	file:///scratch/run1?fsync=false  no fsync: faster, not crash-safe
//
// Key "sum/3f2a" is stored in the file sum/3f2a~ck under the directory (the
// '~' cannot occur in a key, so an entry "a" and entries under "a/" never
// collide). A Put writes a unique temporary file beside it (sum/3f2a~tmp…),
// syncs it, renames it over the entry and syncs the directory, so a reader
// or a crash sees the old entry or the whole new one, and several processes
// may write one key at once. Files are created 0600 and directories 0700 by
// default. Temporary files a crash left behind are never listed, and are
// removed by garbage collection (driver.Sweeper) once an hour old.
//
// The driver reaches the file system through the small FS interface, in
// the style of pebble's vfs, so that tests can inject faults (a full disk,
// an I/O error, a crash between write and rename).
package filestore
