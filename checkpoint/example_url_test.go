package checkpoint_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/cairnlabs/cairn/checkpoint"
)

// A worker process opens the store the driver process opened, by its URL.
func ExampleStore_URL() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cairn-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := checkpoint.Open(ctx, "file://"+dir+"?fsync=false")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Put(ctx, "sum/block-3", 4.5, checkpoint.Meta{}); err != nil {
		log.Fatal(err)
	}

	// In a worker, given store.URL() (in its environment, say):
	worker, err := checkpoint.Open(ctx, store.URL())
	if err != nil {
		log.Fatal(err)
	}
	defer worker.Close()
	v, _, err := worker.Get(ctx, "sum/block-3", nil)
	fmt.Println(v, err)
	// Output: 4.5 <nil>
}
