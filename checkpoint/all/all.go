// Package all registers every checkpoint store driver of cairn with package
// checkpoint, for programs that accept any store URL (the cairn command does):
//
//	import _ "github.com/cairnlabs/cairn/checkpoint/all"
//
// It links the cloud SDKs (through gocloud.dev), NATS and SQLite: about 90
// modules in a user's go.mod. Programs that use one backend import only its
// driver package, and those that store on this machine checkpoint/local
// (file:// and mem://), and so link only their dependencies.
package all

import (
	_ "github.com/cairnlabs/cairn/checkpoint/blobstore" // s3://, gs://, azblob://, blob+file://, blob+mem://
	_ "github.com/cairnlabs/cairn/checkpoint/filestore" // file://
	_ "github.com/cairnlabs/cairn/checkpoint/memstore"  // mem://
	_ "github.com/cairnlabs/cairn/checkpoint/natsstore" // nats://
	_ "github.com/cairnlabs/cairn/checkpoint/sqlstore"  // sqlite://
)
