package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/natsstore" // nats:// checkpoints, in the driver and the workers
	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/darray"
	"github.com/cairnlabs/cairn/internal/seedload"
)

// The driver side of TestNetnsCluster: TestNetnsDriver runs only in a
// process that TestNetnsCluster starts inside namespace a, with the plan
// in envNetnsPlan; it runs the NATS server and the driver there, and
// writes what it saw to the plan's report file for TestNetnsCluster to
// judge.

// envNetnsPlan carries a netnsPlan, as JSON, to the driver process.
const envNetnsPlan = "CAIRN_TEST_NETNS_PLAN"

// netnsPlan is what the driver process is told.
type netnsPlan struct {
	Host        string        // the address NATS listens on, in namespace a
	Port        int           // its port
	Bucket      string        // the checkpoint bucket in NATS's object store
	Workers     int           // how many workers to wait for
	JoinTimeout time.Duration // how long to wait for them
	Report      string        // where to write the netnsReport
}

// netnsReport is what the driver process saw.
type netnsReport struct {
	NATS    string               // the URL the driver connected to
	Store   string               // the checkpoint store's URL, which the workers opened
	Workers []cluster.WorkerInfo // as the driver saw them once all had joined
	Runs    [2]netnsRun          // the first run, then the second on a new scheduler
	// Checkpoints counts the entries in the bucket after the first run.
	Checkpoints int
	Exec        cluster.Stats
}

// netnsRun is one run of the workload.
type netnsRun struct {
	Z, Total float64
	Stats    cairn.RunStats
	// Finished and Restored count thunks by the worker that ran or
	// restored them ("" for the driver's own process).
	Finished, Restored map[string]int
	// BlocksOn counts the random blocks by the worker that made them, and
	// TotalOn is the worker that summed all of them.
	BlocksOn map[string]int
	TotalOn  string
}

// The seed workload at the seed example's size: 64 blocks of 128 KiB,
// each too big to ride back to the driver with its answer.
const (
	netnsN     = 1024
	netnsBlock = 128
)

// netnsSumAll sums every element of every block. Its thunk takes all the
// random blocks, made on both workers, so the worker that runs it fetches
// the other's blocks from the other's data plane: worker to worker.
func netnsSumAll(blocks ...*darray.Block[float64]) float64 {
	s := 0.0
	for _, b := range blocks {
		s += seedload.Sum(b)
	}
	return s
}

var netnsSumAllFn = cairn.Register("ct.netns.sumAll", netnsSumAll)

// netnsGraph is the seed workload (darray.Randn with seed 4, one
// registered sum per block, sqrt(|Σ sums|) over the sums) plus the sum of
// all blocks in one task. It returns the random blocks, the seed result
// and the total.
func netnsGraph() (blocks []*cairn.Thunk, z, total *cairn.Thunk, err error) {
	x, err := darray.Randn(darray.Blocks(netnsBlock, netnsBlock), []int{netnsN, netnsN}, darray.Seed(4))
	if err != nil {
		return nil, nil, nil, err
	}
	blocks = x.Chunks()
	sums := make([]*cairn.Thunk, len(blocks))
	for i, b := range blocks {
		sums[i] = cairn.Delayed(seedload.Sum)(b)
	}
	z = cairn.Delayed(seedload.Finish)(cairn.Args(sums)...)
	total = cairn.Delayed(netnsSumAllFn)(cairn.Args(blocks)...)
	return blocks, z, total, nil
}

// netnsCompute runs the workload on s and reports where its thunks ran.
func netnsCompute(ctx context.Context, s *cairn.Scheduler, events *netnsEvents) (netnsRun, error) {
	blocks, z, total, err := netnsGraph()
	if err != nil {
		return netnsRun{}, err
	}
	events.reset()
	var r netnsRun
	cs, err := cairn.ComputeAll(ctx, s, []*cairn.Thunk{z, total}, cairn.RunOptions{Stats: &r.Stats})
	if err != nil {
		return r, err
	}
	if r.Z, err = cairn.Value[float64](ctx, cs[0]); err != nil {
		return r, err
	}
	if r.Total, err = cairn.Value[float64](ctx, cs[1]); err != nil {
		return r, err
	}
	events.mu.Lock()
	defer events.mu.Unlock()
	r.Finished, r.Restored, r.BlocksOn = events.finished, events.restored, map[string]int{}
	for _, b := range blocks {
		if w, ok := events.ranOn[b]; ok {
			r.BlocksOn[w]++
		}
	}
	r.TotalOn = events.ranOn[total]
	return r, nil
}

// netnsEvents records where thunks ran and were restored.
type netnsEvents struct {
	mu                 sync.Mutex
	ranOn              map[*cairn.Thunk]string
	finished, restored map[string]int
}

func (e *netnsEvents) reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ranOn, e.finished, e.restored = map[*cairn.Thunk]string{}, map[string]int{}, map[string]int{}
}

// OnEvent implements cairn.Listener.
func (e *netnsEvents) OnEvent(ev cairn.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ev.Kind {
	case cairn.ThunkFinished:
		e.finished[ev.Worker]++
		e.ranOn[ev.Thunk] = ev.Worker
	case cairn.ThunkRestored:
		e.restored[ev.Worker]++
	}
}

// TestNetnsDriver is the driver process of TestNetnsCluster; run alone, it
// skips.
func TestNetnsDriver(t *testing.T) {
	raw := os.Getenv(envNetnsPlan)
	if raw == "" {
		t.Skip("the driver side of TestNetnsCluster: runs only in the process that test starts in its namespace")
	}
	var p netnsPlan
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatalf("%s: %v", envNetnsPlan, err)
	}
	// Standard input is a pipe from TestNetnsCluster, closed when it has
	// seen the workers leave, or when it dies.
	parentDone := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(parentDone)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	go func() {
		select {
		case <-parentDone:
			cancel() // the test is gone: stop
		case <-ctx.Done():
		}
	}()

	srv, err := cluster.StartServer(ctx, cluster.ServerConfig{Host: p.Host, Port: p.Port, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatalf("starting NATS on %s:%d in this namespace: %v", p.Host, p.Port, err)
	}
	defer func() {
		// NATS outlives the driver, as a cluster's server would: the
		// workers see the driver leave and say goodbye through it, and
		// the test closes standard input once they have. After a
		// failure, the test wants the output now.
		if !t.Failed() {
			select {
			case <-parentDone:
			case <-time.After(15 * time.Second):
			}
		}
		srv.Shutdown()
	}()
	ex, err := cluster.New(ctx, cluster.Config{NATS: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	rep := netnsReport{NATS: srv.URL()}
	if rep.Workers, err = netnsAwaitWorkers(ctx, ex, p.Workers, p.JoinTimeout); err != nil {
		t.Fatal(err)
	}

	storeURL := (&url.URL{Scheme: "nats", Host: net.JoinHostPort(p.Host, strconv.Itoa(p.Port)), Path: "/" + p.Bucket}).String()
	store, err := checkpoint.Open(ctx, storeURL)
	if err != nil {
		t.Fatalf("opening the checkpoint store %s: %v", storeURL, err)
	}
	defer store.Close()
	rep.Store = store.URL()

	events := &netnsEvents{}
	for i := range rep.Runs {
		// A new scheduler each time: the second run finds nothing in
		// memory, only what the first checkpointed.
		s := cairn.New(&cairn.Config{Executor: ex, Checkpoints: store, Listeners: []cairn.Listener{events}})
		rep.Runs[i], err = netnsCompute(ctx, s, events)
		s.Close()
		if err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		if i == 0 {
			err := store.List(ctx, "", func(checkpoint.Info) error { rep.Checkpoints++; return nil })
			if err != nil {
				t.Fatalf("listing the checkpoints: %v", err)
			}
		}
	}
	rep.Exec = ex.Stats()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.Report, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// netnsAwaitWorkers waits until n workers have joined ex, and returns
// them.
func netnsAwaitWorkers(ctx context.Context, ex *cluster.Executor, n int, timeout time.Duration) ([]cluster.WorkerInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ws := ex.Workers()
		if len(ws) >= n {
			return ws, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%d of %d workers joined within %v (%v): see their standard error", len(ws), n, timeout, ws)
		case <-tick.C:
		}
	}
}
