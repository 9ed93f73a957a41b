package blobstore_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
)

// testStore opens rawURL with checkpoint.Open, which must find this
// package's driver, and runs a Store over it: Put, Get, List, Verify and a
// GC that uses the driver's optional interfaces.
func testStore(t *testing.T, rawURL string) {
	t.Helper()
	ctx := context.Background()
	store, err := checkpoint.Open(ctx, rawURL)
	if err != nil {
		t.Fatalf("checkpoint.Open(%s): %v", rawURL, err)
	}
	defer store.Close()
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

func TestStoreFile(t *testing.T) { testStore(t, fileURL(t)) }

func TestStoreMem(t *testing.T) { testStore(t, "blob+mem://") }

func TestStoreS3(t *testing.T) {
	s3Env(t)
	testStore(t, startS3(t).s3URL(t))
}
