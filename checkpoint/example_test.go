package checkpoint_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"reflect"

	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/filestore" // file://
	_ "github.com/cairnlabs/cairn/checkpoint/memstore"  // mem://
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cairn-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := checkpoint.Open(ctx, "file://"+dir) // or "mem://", "mem://?budget=64MiB"
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// Restore first: nothing there yet is not an error to report.
	if _, _, err := store.Get(ctx, "sum/block-3", nil); errors.Is(err, fs.ErrNotExist) {
		fmt.Println("no checkpoint yet: compute")
	}
	if _, err := store.Put(ctx, "sum/block-3", []float64{1.5, 2.5}, checkpoint.Meta{Func: "main.sum"}); err != nil {
		log.Fatal(err)
	}
	v, info, err := store.Get(ctx, "sum/block-3", reflect.TypeFor[[]float64]())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.([]float64), info.Func, info.Codec)
	// Output:
	// no checkpoint yet: compute
	// [1.5 2.5] main.sum Float64s
}

func ExampleWriteFile() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cairn-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "checkpoint-1.bin") // the seed's "checkpoint-$idx.bin"

	if err := checkpoint.WriteFile(ctx, path, 42.5, checkpoint.Meta{Thunk: "sum#1"}); err != nil {
		log.Fatal(err)
	}
	v, info, err := checkpoint.ReadFile(ctx, path, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v, info.Thunk)

	// A damaged file is reported, never returned as a value.
	os.WriteFile(path, []byte("CRN\x1a truncated"), 0o600)
	_, _, err = checkpoint.ReadFile(ctx, path, nil)
	fmt.Println(errors.Is(err, checkpoint.ErrCorrupt))
	// Output:
	// 42.5 sum#1
	// true
}

func ExampleStore_GC() {
	ctx := context.Background()
	store, err := checkpoint.Open(ctx, "mem://")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	run1 := checkpoint.WithRun(ctx, "run-1")
	store.Put(run1, "a", 1.0, checkpoint.Meta{})
	store.Put(run1, "b", 2.0, checkpoint.Meta{})
	store.EndRun(ctx, "run-1")
	run2 := checkpoint.WithRun(ctx, "run-2")
	store.Get(run2, "a", nil) // run 2 restores a, and never needs b
	store.EndRun(ctx, "run-2")

	rep, err := store.GC(ctx, checkpoint.GCPolicy{NotLastRun: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("kept the entries of", rep.Run, "deleted", rep.Deleted)
	// Output:
	// kept the entries of run-2 deleted [b]
}

func ExampleValidateKey() {
	fmt.Println(checkpoint.ValidateKey("sum/block-3"))
	fmt.Println(checkpoint.ValidateKey("../etc/passwd"))
	// Output:
	// <nil>
	// checkpoint: invalid key "../etc/passwd": ".." segments are not allowed (path traversal); name the key plainly
}

// A tool that only reads a store opens it with OpenExisting, so that a
// mistyped URL is an error rather than a new, empty store.
func ExampleOpenExisting() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cairn-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	_, err = checkpoint.OpenExisting(ctx, "file://"+dir+"/typo")
	fmt.Println(errors.Is(err, checkpoint.ErrNoStore))
	if _, err := os.Stat(dir + "/typo"); errors.Is(err, fs.ErrNotExist) {
		fmt.Println("nothing created")
	}

	store, err := checkpoint.OpenExisting(ctx, "file://"+dir) // there: opened
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	fmt.Println("opened")
	// Output:
	// true
	// nothing created
	// opened
}
