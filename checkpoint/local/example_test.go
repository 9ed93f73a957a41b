package local_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/local" // file:// and mem://
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cairn-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	for _, url := range []string{"file://" + dir, "mem://"} {
		store, err := checkpoint.Open(ctx, url)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := store.Put(ctx, "sum/block-3", 4.0, checkpoint.Meta{}); err != nil {
			log.Fatal(err)
		}
		v, _, err := store.Get(ctx, "sum/block-3", nil)
		if err != nil {
			log.Fatal(err)
		}
		scheme, _, _ := strings.Cut(url, ":")
		fmt.Println(scheme, v)
		store.Close()
	}
	// Output:
	// file 4
	// mem 4
}
