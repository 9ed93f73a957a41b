// Package memstore is a checkpoint store driver that keeps entries in RAM,
// registered for the "mem" URL scheme:
//
//	mem://                        no memory budget
//	mem://?budget=64MiB           refuse a Put that would exceed 64 MiB
//	mem://?budget=64MiB&evict=lru evict least recently used entries instead
//
// A Store over it compresses payloads with zstd by default (the driver says
// so through driver.Preferrer), the seed's "stored in RAM in a
// space-efficient form". The budget counts the bytes stored: frames after
// compression. By default a Put over budget fails with an error matching
// ErrBudget and stores nothing, so that no checkpoint disappears silently;
// with eviction, the entries least recently written or read are dropped to
// make room (a dropped checkpoint is recomputed, like any absent one). Each
// Open of a mem:// URL is a new, empty store that lives until it is closed,
// so create=false (checkpoint.OpenExisting) always fails with an error
// matching checkpoint.ErrNoStore.
package memstore
