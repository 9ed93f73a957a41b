// Package local registers the checkpoint store drivers of this machine with
// package checkpoint: file:// (checkpoint/filestore) and mem://
// (checkpoint/memstore).
//
//	import _ "github.com/cairnlabs/cairn/checkpoint/local"
//
// It links neither the cloud SDKs, NATS nor SQLite, which checkpoint/all
// brings (with about 90 modules in a user's go.mod): a program that checkpoints
// to a directory or to RAM needs only this.
package local

import (
	_ "github.com/cairnlabs/cairn/checkpoint/filestore" // file://
	_ "github.com/cairnlabs/cairn/checkpoint/memstore"  // mem://
)
