package blobstore_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// benchSize is the payload of the Put and Get benchmarks, the same in every
// driver package so that their results compare.
const benchSize = 8 << 20

// benchPayload returns benchSize incompressible bytes.
func benchPayload() []byte {
	b := make([]byte, benchSize)
	r := rand.NewChaCha8([32]byte{1})
	_, _ = r.Read(b)
	return b
}

// benchPut measures Put of an 8 MiB value, cycling over a few keys so that
// most Puts replace an entry, as repeated runs do.
func benchPut(b *testing.B, d driver.Driver) {
	ctx := context.Background()
	p := benchPayload()
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := d.Put(ctx, fmt.Sprintf("bench/put-%d", i%4), bytes.NewReader(p), benchSize); err != nil {
			b.Fatal(err)
		}
	}
}

// benchGet measures Get of an 8 MiB value.
func benchGet(b *testing.B, d driver.Driver) {
	ctx := context.Background()
	p := benchPayload()
	if err := d.Put(ctx, "bench/get", bytes.NewReader(p), benchSize); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		v, err := d.Get(ctx, "bench/get")
		if err != nil || len(v) != benchSize {
			b.Fatalf("Get = %d bytes, %v", len(v), err)
		}
	}
}

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
		b.Run(name, func(b *testing.B) { benchPut(b, d) })
	}
}

func BenchmarkGet8MiB(b *testing.B) {
	for name, d := range benchDrivers(b) {
		b.Run(name, func(b *testing.B) { benchGet(b, d) })
	}
}
