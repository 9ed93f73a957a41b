package blobstore_test

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"strings"

	"github.com/cairnlabs/cairn/checkpoint/blobstore"
)

func ExampleOpen() {
	ctx := context.Background()
	// blob+mem:// is gocloud's in-memory bucket; s3://bucket?region=...
	// or gs://bucket work the same way.
	u, err := url.Parse("blob+mem://")
	if err != nil {
		log.Fatal(err)
	}
	d, err := blobstore.Open(ctx, u)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	value := "the sum of block 3"
	if err := d.Put(ctx, "run1/block-3", strings.NewReader(value), int64(len(value))); err != nil {
		log.Fatal(err)
	}
	a, err := d.Stat(ctx, "run1/block-3")
	if err != nil {
		log.Fatal(err)
	}
	b, err := d.Get(ctx, "run1/block-3")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bytes: %s\n", a.Key, a.Size, b)
	// Output: run1/block-3: 18 bytes: the sum of block 3
}
