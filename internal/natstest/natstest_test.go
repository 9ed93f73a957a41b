package natstest_test

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnlabs/cairn/internal/natstest"
)

// TestRestartKeepsData writes to a key-value bucket, restarts the server
// and reads the value back over the same, reconnected client.
func TestRestartKeepsData(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	_, js := s.Connect(t)
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "state"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.PutString(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	url := s.URL()
	s.Restart(t)
	if s.URL() != url {
		t.Fatalf("URL after Restart = %s, want %s", s.URL(), url)
	}
	_, js2 := s.Connect(t)
	kv2, err := js2.KeyValue(ctx, "state")
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv2.Get(ctx, "k")
	if err != nil || string(e.Value()) != "v" {
		t.Fatalf("Get after Restart = %v, %v; want v", e, err)
	}
	s.Stop()
	s.Stop() // a second Stop does nothing
}
