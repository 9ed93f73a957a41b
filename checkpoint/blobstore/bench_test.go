package blobstore_test

import (
	"testing"

	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/checkpoint/drivertest"
)

// benchDrivers opens one driver per backend for a benchmark.
func benchDrivers(b *testing.B) map[string]driver.Driver {
	f := startS3(b)
	return map[string]driver.Driver{
		"mem":  open(b, "blob+mem://"),
		"file": open(b, fileURL(b)),
		"s3":   f.openNew(b),
	}
}

func BenchmarkPut8MiB(b *testing.B) {
	for name, d := range benchDrivers(b) {
		b.Run(name, func(b *testing.B) { drivertest.BenchmarkPut(b, d) })
	}
}

func BenchmarkGet8MiB(b *testing.B) {
	for name, d := range benchDrivers(b) {
		b.Run(name, func(b *testing.B) { drivertest.BenchmarkGet(b, d) })
	}
}
