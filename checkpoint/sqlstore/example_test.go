package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/cairnlabs/cairn/checkpoint/sqlstore"
)

func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	u, err := url.Parse("sqlite://" + filepath.ToSlash(dir) + "/checkpoints.db")
	if err != nil {
		log.Fatal(err)
	}
	d, err := sqlstore.Open(ctx, u)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	value := "the sum of block 3"
	if err := d.Put(ctx, "run1/block-3", strings.NewReader(value), int64(len(value))); err != nil {
		log.Fatal(err)
	}
	b, err := d.Get(ctx, "run1/block-3")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", b)
	// Output: the sum of block 3
}
