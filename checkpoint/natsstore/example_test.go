package natsstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnlabs/cairn/checkpoint/natsstore"
)

// ExampleNew starts a NATS server inside the program, as cairn's
// single-machine cluster mode does, and keeps checkpoints in its object
// store. Workers elsewhere would open the same bucket by URL:
// nats://host:4222/checkpoints.
func ExampleNew() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "natsstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT,
		JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(10 * time.Second) {
		log.Fatal("NATS server not ready")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}

	d, err := natsstore.New(ctx, js, "checkpoints") // created if missing
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
