package natsstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/checkpoint/drivertest"
	"github.com/cairnlabs/cairn/checkpoint/natsstore"
	"github.com/cairnlabs/cairn/internal/natstest"
)

// buckets numbers the buckets the tests create, so that each is fresh.
var buckets atomic.Int64

// newBucket returns a fresh bucket name.
func newBucket() string { return fmt.Sprintf("ckpt-%d", buckets.Add(1)) }

// openURL opens a fresh bucket on s by URL and closes it when tb ends.
func openURL(tb testing.TB, s *natstest.Server, query string) driver.Driver {
	tb.Helper()
	raw := s.URL() + "/" + newBucket() + query
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := natsstore.Open(context.Background(), u)
	if err != nil {
		tb.Fatalf("Open(%s): %v", raw, err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	return d
}

func TestConformance(t *testing.T) {
	s := natstest.Start(t)
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver { return openURL(t, s, "") })
}

// TestConformanceNew runs the suite over drivers made by New on one shared
// connection.
func TestConformanceNew(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.Connect(t)
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
		d, err := natsstore.New(context.Background(), js, newBucket())
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

// TestConformanceMemory runs the suite on buckets in memory storage.
func TestConformanceMemory(t *testing.T) {
	s := natstest.Start(t)
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver { return openURL(t, s, "?storage=memory") })
}

// TestNewKeepsConnection checks that closing a driver made by New leaves the
// caller's connection usable, and that a second driver binds to the bucket
// the first created.
func TestNewKeepsConnection(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	nc, js := s.Connect(t)
	d1, err := natsstore.New(ctx, js, "shared")
	if err != nil {
		t.Fatal(err)
	}
	if err := d1.Put(ctx, "k", strings.NewReader("v"), 1); err != nil {
		t.Fatal(err)
	}
	if err := d1.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := d1.Get(ctx, "k"); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("Get after Close = %v, want fs.ErrClosed", err)
	}
	if nc.IsClosed() {
		t.Fatal("Close closed the caller's connection")
	}
	d2, err := natsstore.New(ctx, js, "shared")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if got, err := d2.Get(ctx, "k"); err != nil || string(got) != "v" {
		t.Fatalf("Get through a second driver = %q, %v; want \"v\"", got, err)
	}
}

// TestReplicas checks that the replicas parameter reaches the bucket: a
// single server cannot hold three replicas, so creating fails and says so.
func TestReplicas(t *testing.T) {
	s := natstest.Start(t)
	u, _ := url.Parse(s.URL() + "/r3?replicas=3")
	d, err := natsstore.Open(context.Background(), u)
	if err == nil {
		d.Close()
		t.Fatal("Open with replicas=3 on a single server succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "replicas") {
		t.Errorf("error %q does not mention replicas", err)
	}
}

// TestForeignObjectStore checks that objects the NATS client writes itself
// (in chunks of its own size) read back through the driver, and the
// reverse.
func TestForeignObjectStore(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	_, js := s.Connect(t)
	d, err := natsstore.New(ctx, js, "mixed")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	obs, err := js.ObjectStore(ctx, "mixed")
	if err != nil {
		t.Fatal(err)
	}
	v := bytes.Repeat([]byte("0123456789abcdef"), 50000) // 800 KB, 7 chunks of 128 KiB
	opts := &jetstream.ObjectMetaOptions{ChunkSize: 100000}
	if _, err := obs.Put(ctx, jetstream.ObjectMeta{Name: "by/client", Opts: opts}, bytes.NewReader(v)); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Get(ctx, "by/client"); err != nil || !bytes.Equal(got, v) {
		t.Fatalf("Get of the client's object = %d bytes, %v; want %d bytes", len(got), err, len(v))
	}
	if err := d.Put(ctx, "by/driver", bytes.NewReader(v), int64(len(v))); err != nil {
		t.Fatal(err)
	}
	if got, err := obs.GetBytes(ctx, "by/driver"); err != nil || !bytes.Equal(got, v) {
		t.Fatalf("client's Get of the driver's object = %d bytes, %v; want %d bytes", len(got), err, len(v))
	}
}

func TestOpenErrors(t *testing.T) {
	s := natstest.Start(t)
	host := strings.TrimPrefix(s.URL(), "nats://")
	for _, raw := range []string{
		"nats://" + host,                      // no bucket
		"nats://" + host + "/",                // no bucket
		"nats://" + host + "/a.b",             // bad bucket name
		"nats://" + host + "/ok?replicas=9",   // too many replicas
		"nats://" + host + "/ok?storage=tape", // no such storage
		"nats://" + host + "/ok?ttl=1h",       // unknown parameter
		"nats:///ok",                          // no server
		"nats://127.0.0.1:1/ok",               // nothing listens there
		"http://" + host + "/ok",              // not our scheme
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		d, err := natsstore.Open(context.Background(), u)
		if err == nil {
			d.Close()
			t.Errorf("Open(%s) succeeded, want an error", raw)
			continue
		}
		if !strings.HasPrefix(err.Error(), "natsstore: ") {
			t.Errorf("Open(%s) error %q lacks the package prefix", raw, err)
		}
	}
}

// TestSweep leaves chunks with no meta record behind, as a Put that died
// would, and checks that Sweep purges them once they are old enough, and
// nothing else.
func TestSweep(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	_, js := s.Connect(t)
	d, err := natsstore.New(ctx, js, "swept")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Put(ctx, "keep", strings.NewReader("value"), 5); err != nil {
		t.Fatal(err)
	}
	for _, chunk := range []string{"first chunk", "second"} {
		if _, err := js.Publish(ctx, "$O.swept.C.deadputnuid", []byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	sw := d.(driver.Sweeper)
	if n, _, err := sw.Sweep(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("Sweep before the leftover was written = %d, %v; want 0, nil", n, err)
	}
	n, size, err := sw.Sweep(ctx, time.Now().Add(time.Minute))
	if err != nil || n != 1 || size != int64(len("first chunk")+len("second")) {
		t.Fatalf("Sweep = %d, %d, %v; want 1, %d, nil", n, size, err, len("first chunk")+len("second"))
	}
	if n, _, err := sw.Sweep(ctx, time.Now().Add(time.Minute)); err != nil || n != 0 {
		t.Fatalf("second Sweep = %d, %v; want 0, nil", n, err)
	}
	if got, err := d.Get(ctx, "keep"); err != nil || string(got) != "value" {
		t.Fatalf("Get after Sweep = %q, %v; want \"value\"", got, err)
	}
}

// TestCloseLeavesNoGoroutines uses a driver opened by URL in every way and
// checks that, once it is closed, no client goroutine is left. (The
// server's goroutines, such as those of the bucket's stream, stay.)
func TestCloseLeavesNoGoroutines(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	_, _ = s.Connect(t) // the helper's connection is not the driver's
	u, _ := url.Parse(s.URL() + "/" + newBucket())
	before := clientGoroutines()
	d, err := natsstore.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	v := bytes.Repeat([]byte{7}, 300<<10)
	for i := range 3 {
		if err := d.Put(ctx, fmt.Sprint("k", i), bytes.NewReader(v), int64(len(v))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Get(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := d.List(ctx, "", func(driver.Attrs) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.(driver.Sweeper).Sweep(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	// Closing a connection ends its goroutines a moment later.
	var after []string
	for range 500 {
		if after = clientGoroutines(); len(after) <= len(before) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d client goroutines after Close, %d before:\n%s", len(after), len(before), strings.Join(after, "\n\n"))
}

// clientGoroutines returns the stacks of the goroutines that run NATS
// client code.
func clientGoroutines() []string {
	buf := make([]byte, 4<<20)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "nats-io/nats.go") {
			out = append(out, g)
		}
	}
	return out
}

// TestOpenExisting checks create=false: a missing bucket is not created.
func TestOpenExisting(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.Connect(t)
	bucket := newBucket()
	drivertest.RunOpenExisting(t, s.URL()+"/"+bucket, func() bool {
		_, err := js.ObjectStore(context.Background(), bucket)
		return errors.Is(err, jetstream.ErrBucketNotFound)
	})
}
