// Package filestore is a checkpoint store driver over a directory, registered
// for the "file" URL scheme:
//
//	file:///scratch/run1              fsync on (the default)
//	file:///scratch/run1?fsync=false  no fsync: faster, not crash-safe
//	file:///scratch/run1?pack=false   every entry in a file of its own
//	file:///scratch/run1?packmax=4096 pack entries of at most 4 KiB
//	file:///scratch/run1?create=false open only an existing directory
//
// Open creates the directory and its parents if they are missing, unless
// create=false (checkpoint.OpenExisting) asks for an existing store only.
//
// # Small entries: packs
//
// Most checkpoints are small (a block's sum, a model's loss), and creating a
// file costs a file system far more than writing a few hundred bytes: 50 to
// 500 µs of kernel time per file on ext4 against about 1 µs to append a
// record. So an entry of at most Options.PackMax bytes (64 KiB by default) is
// appended, as one checksummed record, to a pack file of the Driver that
// wrote it, ~packs/<time>-<random>.pack2 under the directory; each Driver (each
// process) appends to its own pack and seals it on Close. Every Driver keeps
// an index of the newest record of each key in every pack, and brings it up
// to date before each read, so another process's Put, overwrite or Delete is
// seen by the next Get. A Delete appends a delete record; garbage collection
// removes a pack once none of its records matters any more, and first merges
// small sealed packs, when there are more than eight, into its own (every
// process that writes leaves a pack, and a process reads every pack's
// record headers when it first reads); a Driver that has read the store and
// finds more than eight of them merges them when it closes. A store opened
// by URL builds its index in the background at once, so that a run's first
// restore finds it ready. A record cut short
// by a crash ends what is read of its pack (the rest was never written).
//
// # Damage
//
// A record whose header fails its checksum is damage, and reading goes on
// at the next record, so that damage hides only what it hit and not the
// newer versions after it. A record's kind, key and version have a checksum
// of their own: when it holds, the damaged record keeps its place among its
// key's versions, and a Get of the key, while it is the newest, fails with a
// *checkpoint.CorruptError (a failed restore, which a run reports and
// recomputes) instead of missing or reading the older version it replaced.
// Damage that hit the key itself cannot be attributed: a Get of that key
// finds what the other records hold. A damaged payload fails the
// checkpoint frame's own checksum on Get.
//
// # Large entries: a file each
//
// An entry put with checkpoint.WithStandalone (the scheduler asks it for a
// run's final result) gets a file of its own whatever its size: a Get
// finds it before, and without, the index of the packs, so that a new
// process restores a run's final result without reading every pack.
//
// Key "sum/3f2a" with a larger entry is stored in the file sum/3f2a~ck under
// the directory (the '~' cannot occur in a key, so an entry "a" and entries
// under "a/" never collide). A Put writes a unique temporary file beside it
// (sum/3f2a~tmp…), syncs it, renames it over the entry and syncs the
// directory, so a reader or a crash sees the old entry or the whole new one,
// and several processes may write one key at once. A key's own file, where
// there is one, holds its entry; a packed Put removes it. Files are created
// 0600 and directories 0700 by default. Temporary files a crash left behind
// are never listed, and are removed by garbage collection (driver.Sweeper)
// once an hour old.
//
// The driver reaches the file system through the small FS interface, in
// the style of pebble's vfs, so that tests can inject faults (a full disk,
// an I/O error, a crash between write and rename).
package filestore
