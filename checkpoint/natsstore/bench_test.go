package natsstore_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/internal/natstest"
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

func BenchmarkPut8MiB(b *testing.B) {
	benchPut(b, openURL(b, natstest.Start(b), ""))
}

func BenchmarkGet8MiB(b *testing.B) {
	benchGet(b, openURL(b, natstest.Start(b), ""))
}

// BenchmarkGet8MiBClient measures the NATS client's own object store read,
// for comparison with the driver's chunk-by-chunk Get.
func BenchmarkGet8MiBClient(b *testing.B) {
	ctx := context.Background()
	s := natstest.Start(b)
	_, js := s.Connect(b)
	obs, err := js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: newBucket()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := obs.PutBytes(ctx, "bench/get", benchPayload()); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if v, err := obs.GetBytes(ctx, "bench/get"); err != nil || len(v) != benchSize {
			b.Fatalf("GetBytes = %d bytes, %v", len(v), err)
		}
	}
}
