package cluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/nats-io/nats.go"
)

func skewed(x int) int { return x + 1 }

func onlyDriver(x int) int { return x * 2 }

// registerSkewed registers ct.skewed at version "2" in workers started
// with CT_SKEW=1 and "1" elsewhere, and ct.onlyDriver only outside
// workers: a worker built from other code.
func registerSkewed() {
	v := "1"
	if os.Getenv("CT_SKEW") == "1" {
		v = "2"
	}
	cairn.Register("ct.skewed", skewed, cairn.Version(v))
	if !cluster.IsWorker() {
		cairn.Register("ct.onlyDriver", onlyDriver)
	}
}

// A worker whose binary has another version of a function, or lacks it,
// refuses the task with an error naming both.
func TestWorkerRefusesOtherBuilds(t *testing.T) {
	ex := newCluster(t, cluster.Config{Workers: 1, Env: []string{"CT_SKEW=1"}})
	s := cairn.New(&cairn.Config{Executor: ex})
	defer s.Close()
	ctx := context.Background()
	_, err := cairn.Compute(ctx, s, cairn.Delayed(skewed)(1))
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), `"ct.skewed" at version "2"`) || !strings.Contains(err.Error(), `version "1"`) {
		t.Fatalf("version skew: %v", err)
	}
	_, err = cairn.Compute(ctx, s, cairn.Delayed(onlyDriver)(1))
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), `no function registered as "ct.onlyDriver"`) {
		t.Fatalf("missing function: %v", err)
	}
	// An unregistered function cannot go to a worker at all.
	_, err = cairn.Compute(ctx, s, cairn.Delayed(func(x int) int { return x })(1))
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "is not registered") || !strings.Contains(err.Error(), "cairn.Register") {
		t.Fatalf("unregistered function: %v", err)
	}
}

// withHidden has an unexported field: gob would drop it.
type withHidden struct {
	Name   string
	secret int
}

func describe(w withHidden) string { return fmt.Sprint(w.Name, w.secret) }

var describeFn = cairn.Register("ct.describe", describe)

// A value the codec cannot carry faithfully is refused before anything is
// sent, with the type, the field and the fix.
func TestUnfaithfulValueRefusedBeforeSending(t *testing.T) {
	ex := newCluster(t, cluster.Config{Workers: 1})
	s := cairn.New(&cairn.Config{Executor: ex})
	defer s.Close()
	before := ex.Stats().Tasks
	_, err := cairn.Compute(context.Background(), s, cairn.Delayed(describeFn)(withHidden{Name: "a", secret: 7}))
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "cannot send it to a worker") ||
		!strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "export the field") {
		t.Fatalf("err %v", err)
	}
	if ex.Stats().Tasks != before {
		t.Fatal("the task was sent")
	}
}

// The max-deliveries advisory fails the tasks of the message it names,
// with a clear error, instead of leaving them waiting.
func TestMaxDeliveriesAdvisoryFailsTasks(t *testing.T) {
	srv, err := cluster.StartServer(context.Background(), cluster.ServerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	// A worker that takes its tasks and never answers: started here by
	// hand, with a consumer we then starve by stopping it.
	ex := newCluster(t, cluster.Config{NATS: srv.URL(), Name: "adv", Workers: 1})
	pids := ex.Workers()
	if len(pids) != 1 {
		t.Fatalf("%d workers", len(pids))
	}
	w := pids[0]
	proc, err := os.FindProcess(w.PID)
	if err != nil {
		t.Fatal(err)
	}
	s := cairn.New(&cairn.Config{Executor: ex})
	defer s.Close()
	// Pause the worker: its heartbeats stop too, but the advisory comes
	// first (the driver waits WorkerTimeout, 5 s, before taking it for gone).
	if err := proc.Signal(sigStop); err != nil {
		t.Fatal(err)
	}
	defer proc.Signal(sigCont)
	done := make(chan error, 1)
	go func() {
		_, err := cairn.Compute(context.Background(), s, cairn.Delayed(sqFn)(3.0))
		done <- err
	}()
	// Find the message's stream sequence, then publish JetStream's advisory
	// for it, as the server does after MaxDeliver deliveries.
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	var seq uint64
	for deadline := time.Now().Add(5 * time.Second); seq == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		seq = lastTaskSeq(t, nc, "CAIRN_ADV_TASKS")
	}
	if seq == 0 {
		t.Fatal("no task message in the stream")
	}
	adv, _ := json.Marshal(map[string]any{"stream": "CAIRN_ADV_TASKS", "consumer": "w-" + w.ID, "stream_seq": seq, "deliveries": 5})
	if err := nc.Publish("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.CAIRN_ADV_TASKS.w-"+w.ID, adv); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		var fe *cairn.ThunkFailedError
		var de *cluster.DeliveryError
		if !errors.As(err, &fe) || !errors.As(err, &de) || de.Deliveries != 5 || !strings.Contains(err.Error(), "delivered 5 times") {
			t.Fatalf("err %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the advisory did not fail the task")
	}
}

// lastTaskSeq returns the last sequence of a stream (0 if empty).
func lastTaskSeq(t *testing.T, nc *nats.Conn, stream string) uint64 {
	msg, err := nc.Request("$JS.API.STREAM.INFO."+stream, nil, time.Second)
	if err != nil {
		return 0
	}
	var info struct {
		State struct {
			LastSeq uint64 `json:"last_seq"`
		} `json:"state"`
	}
	if json.Unmarshal(msg.Data, &info) != nil {
		return 0
	}
	return info.State.LastSeq
}

// A JetStream cluster of three `cairn server`s (StartServer with routes):
// the stream and bucket are replicated, and a run works on it.
func TestThreeServerCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts three servers")
	}
	ctx := context.Background()
	ports := freePorts(t, 6)
	var urls []string
	var routes []string
	for i := 0; i < 3; i++ {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[3+i]))
	}
	for i := 0; i < 3; i++ {
		var others []string
		for j, r := range routes {
			if j != i {
				others = append(others, r)
			}
		}
		srv, err := cluster.StartServer(ctx, cluster.ServerConfig{Port: ports[i], Name: fmt.Sprintf("n%d", i+1),
			ClusterListen: fmt.Sprintf("127.0.0.1:%d", ports[3+i]), Routes: others, StoreDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Shutdown()
		urls = append(urls, srv.URL())
	}
	var ex *cluster.Executor
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		// JetStream needs a meta leader before streams can be made.
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		ex, err = cluster.New(cctx, cluster.Config{NATS: strings.Join(urls, ","), Replicas: 3, Workers: 2})
		cancel()
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	s := cairn.New(&cairn.Config{Executor: ex})
	defer s.Close()
	ys := make([]*cairn.Thunk, 10)
	for i := range ys {
		ys[i] = cairn.Delayed(sqFn)(float64(i))
	}
	got, err := cairn.Collect[float64](ctx, s, cairn.Delayed(totalFn)(cairn.Args(ys)...))
	if err != nil || got != 285 {
		t.Fatalf("%v, %v", got, err)
	}
}

// The task messages of a worker taken for gone are purged from the
// stream: they run elsewhere, and on a long-lived server they would stay.
func TestDepartedWorkersTasksPurged(t *testing.T) {
	srv, err := cluster.StartServer(context.Background(), cluster.ServerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	// The task must be sent to the paused worker before the driver takes it
	// for gone: WorkerTimeout leaves a loaded machine seconds for that.
	ex := newCluster(t, cluster.Config{NATS: srv.URL(), Name: "purge", Workers: 1,
		Heartbeat: 100 * time.Millisecond, WorkerTimeout: 3 * time.Second})
	w := ex.Workers()[0]
	proc, _ := os.FindProcess(w.PID)
	if err := proc.Signal(sigStop); err != nil {
		t.Fatal(err)
	}
	defer proc.Kill()
	s := cairn.New(&cairn.Config{Executor: ex})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go cairn.Compute(ctx, s, cairn.Delayed(sqFn)(3.0)) // sent to the paused worker, then waits for another
	defer cancel()
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	msgs := func() int {
		m, err := nc.Request("$JS.API.STREAM.INFO.CAIRN_PURGE_TASKS", nil, time.Second)
		if err != nil {
			return -1
		}
		var info struct {
			State struct {
				Msgs int `json:"messages"`
			} `json:"state"`
		}
		json.Unmarshal(m.Data, &info)
		return info.State.Msgs
	}
	for deadline := time.Now().Add(5 * time.Second); msgs() < 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no task message reached the stream")
		}
	}
	for deadline := time.Now().Add(10 * time.Second); msgs() != 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d task messages of the departed worker are still in the stream", msgs())
		}
	}
}
