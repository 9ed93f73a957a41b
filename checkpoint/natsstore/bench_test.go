package natsstore_test

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnlabs/cairn/checkpoint/drivertest"
	"github.com/cairnlabs/cairn/internal/natstest"
)

func BenchmarkPut8MiB(b *testing.B) {
	drivertest.BenchmarkPut(b, openURL(b, natstest.Start(b), ""))
}

func BenchmarkGet8MiB(b *testing.B) {
	drivertest.BenchmarkGet(b, openURL(b, natstest.Start(b), ""))
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
	if _, err := obs.PutBytes(ctx, "bench/get", drivertest.BenchPayload()); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(drivertest.BenchSize)
	b.ReportAllocs()
	for b.Loop() {
		if v, err := obs.GetBytes(ctx, "bench/get"); err != nil || len(v) != drivertest.BenchSize {
			b.Fatalf("GetBytes = %d bytes, %v", len(v), err)
		}
	}
}
