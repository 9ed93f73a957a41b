package memstore_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/checkpoint/drivertest"
	"github.com/cairnlabs/cairn/checkpoint/memstore"
)

func TestConformance(t *testing.T) {
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver { return memstore.New(nil) })
}

func TestConformanceWithBudget(t *testing.T) {
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
		return memstore.New(&memstore.Options{Budget: 64 << 20, Evict: true})
	})
}

func put(t *testing.T, d *memstore.Driver, key string, n int) error {
	t.Helper()
	return d.Put(context.Background(), key, bytes.NewReader(make([]byte, n)), int64(n))
}

func TestBudgetRefuses(t *testing.T) {
	d := memstore.New(&memstore.Options{Budget: 100})
	if err := put(t, d, "a", 60); err != nil {
		t.Fatal(err)
	}
	err := put(t, d, "b", 60)
	if !errors.Is(err, memstore.ErrBudget) {
		t.Fatalf("Put over budget = %v, want ErrBudget", err)
	}
	if _, err := d.Get(context.Background(), "b"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("refused entry is stored: %v", err)
	}
	// Overwriting counts the old entry's bytes as freed.
	if err := put(t, d, "a", 100); err != nil {
		t.Fatalf("overwrite within budget: %v", err)
	}
	if err := put(t, d, "huge", 101); !errors.Is(err, memstore.ErrBudget) {
		t.Fatalf("Put larger than the budget = %v, want ErrBudget", err)
	}
	if got := d.Used(); got != 100 {
		t.Fatalf("Used = %d, want 100", got)
	}
}

func TestBudgetEvictsLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	d := memstore.New(&memstore.Options{Budget: 100, Evict: true})
	for _, k := range []string{"a", "b", "c"} {
		if err := put(t, d, k, 30); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Get(ctx, "a"); err != nil { // a is now the most recently used
		t.Fatal(err)
	}
	if err := put(t, d, "d", 30); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		_, err := d.Get(ctx, k)
		if got := err == nil; got != want {
			t.Errorf("after eviction, %q present = %v, want %v (err %v)", k, got, want, err)
		}
	}
	if got := d.Used(); got != 90 {
		t.Fatalf("Used = %d, want 90", got)
	}
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	for _, bad := range []string{"mem://?budget=lots", "mem://?evict=fifo", "mem://?color=red", "mem://host/path"} {
		if s, err := checkpoint.Open(ctx, bad); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", bad)
		}
	}
	s, err := checkpoint.Open(ctx, "mem://?budget=1MiB")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Compressible values are stored compressed by default.
	v := make([]float64, 64<<10) // 512 KiB of zeros
	info, err := s.Put(ctx, "zeros", v, checkpoint.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if !info.Compressed || info.Size >= 64<<10 {
		t.Fatalf("Put into mem:// = %+v, want a compressed entry far smaller than 512 KiB", info)
	}
	got, _, err := s.Get(ctx, "zeros", nil)
	if err != nil || !reflect.DeepEqual(got, v) {
		t.Fatalf("Get = %d values, %v; want the zeros back", len(got.([]float64)), err)
	}
	// Over budget: a clear error, and nothing stored.
	big := make([]byte, 2<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range big {
		big[i] = byte(r.Uint32())
	}
	if _, err := s.Put(ctx, "big", big, checkpoint.Meta{}); !errors.Is(err, memstore.ErrBudget) {
		t.Fatalf("Put over budget = %v, want ErrBudget", err)
	}
}

// TestOpenExisting checks that create=false never opens a mem:// store: none
// outlives the process that made it.
func TestOpenExisting(t *testing.T) {
	drivertest.RunNeverExisting(t, "mem://")
	drivertest.RunNeverExisting(t, "mem://?budget=1MiB")
}
