package drivertest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// RunStore opens rawURL with checkpoint.Open, which must find the driver
// (its package imported by the test), and runs a Store over it: URL, Put,
// Get, List, Verify and a GC that uses the driver's optional interfaces.
func RunStore(t *testing.T, rawURL string) {
	t.Helper()
	ctx := context.Background()
	store, err := checkpoint.Open(ctx, rawURL)
	if err != nil {
		t.Fatalf("checkpoint.Open(%s): %v", rawURL, err)
	}
	defer store.Close()
	if got := store.URL(); got != rawURL {
		t.Fatalf("URL() = %q, want the URL it was opened from, %q", got, rawURL)
	}
	for i := range 3 {
		key := fmt.Sprintf("sum/block-%d", i)
		if _, err := store.Put(ctx, key, []float64{float64(i), 0.5}, checkpoint.Meta{Func: "main.sum"}); err != nil {
			t.Fatalf("Put(%s): %v", key, err)
		}
	}
	v, info, err := store.Get(ctx, "sum/block-2", reflect.TypeFor[[]float64]())
	if err != nil || !slices.Equal(v.([]float64), []float64{2, 0.5}) || info.Func != "main.sum" {
		t.Fatalf("Get = %v, %+v, %v; want [2 0.5] from main.sum", v, info, err)
	}
	var keys []string
	err = store.List(ctx, "sum/", func(i checkpoint.Info) error {
		if i.Err != nil {
			return i.Err
		}
		keys = append(keys, i.Key)
		return nil
	})
	slices.Sort(keys)
	if err != nil || !slices.Equal(keys, []string{"sum/block-0", "sum/block-1", "sum/block-2"}) {
		t.Fatalf("List = %q, %v; want the three blocks", keys, err)
	}
	if err := store.Verify(ctx, "sum/block-1"); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	rep, err := store.GC(ctx, checkpoint.GCPolicy{Prefix: "sum/", MaxBytes: 1})
	if err != nil || len(rep.Deleted) != 3 {
		t.Fatalf("GC = %+v, %v; want the three blocks deleted", rep, err)
	}
}

// BenchSize is the payload of the Put and Get benchmarks, the same in every
// driver package so that their results compare.
const BenchSize = 8 << 20

// BenchPayload returns BenchSize incompressible bytes, the payload of the
// benchmarks.
func BenchPayload() []byte {
	b := make([]byte, BenchSize)
	r := rand.NewChaCha8([32]byte{1})
	_, _ = r.Read(b)
	return b
}

// BenchmarkPut measures Put of an 8 MiB value, cycling over a few keys so that
// most Puts replace an entry, as repeated runs do.
func BenchmarkPut(b *testing.B, d driver.Driver) {
	ctx := context.Background()
	p := BenchPayload()
	b.SetBytes(BenchSize)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := d.Put(ctx, fmt.Sprintf("bench/put-%d", i%4), bytes.NewReader(p), BenchSize); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGet measures Get of an 8 MiB value.
func BenchmarkGet(b *testing.B, d driver.Driver) {
	ctx := context.Background()
	p := BenchPayload()
	if err := d.Put(ctx, "bench/get", bytes.NewReader(p), BenchSize); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(BenchSize)
	b.ReportAllocs()
	for b.Loop() {
		v, err := d.Get(ctx, "bench/get")
		if err != nil || len(v) != BenchSize {
			b.Fatalf("Get = %d bytes, %v", len(v), err)
		}
	}
}
