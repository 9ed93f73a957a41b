// Package builtin names the packages of cairn's own checkpoint store
// drivers by URL scheme, so that checkpoint.Open can say which import a URL
// needs when its driver is not linked in. The test of checkpoint/all checks
// the table against what the drivers register.
package builtin

import (
	"maps"
	"slices"
)

// Module is the path of cairn's module.
const Module = "github.com/cairnlabs/cairn"

// All is the package that registers every driver of cairn's.
const All = Module + "/checkpoint/all"

var drivers = map[string]string{
	"file":      Module + "/checkpoint/filestore",
	"mem":       Module + "/checkpoint/memstore",
	"sqlite":    Module + "/checkpoint/sqlstore",
	"s3":        Module + "/checkpoint/blobstore",
	"gs":        Module + "/checkpoint/blobstore",
	"azblob":    Module + "/checkpoint/blobstore",
	"blob+file": Module + "/checkpoint/blobstore",
	"blob+mem":  Module + "/checkpoint/blobstore",
	"nats":      Module + "/checkpoint/natsstore",
}

// Package returns the import path of the package of cairn's that registers
// scheme, and whether there is one.
func Package(scheme string) (string, bool) {
	p, ok := drivers[scheme]
	return p, ok
}

// Schemes returns the schemes of cairn's drivers, sorted.
func Schemes() []string { return slices.Sorted(maps.Keys(drivers)) }
