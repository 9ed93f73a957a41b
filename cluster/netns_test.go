package cluster_test

import (
	"context"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
)

// TestNetnsCluster runs a cluster of three "hosts" on one machine (issue
// #10): NATS and the driver in network namespace a, one worker in each of
// b and c, joined by a bridge. Each worker has its own scratch directory
// and no directory is shared: checkpoints go to the NATS object store. The
// seed workload must come out right, with blocks moving between the
// workers' namespaces, its checkpoints in the bucket, and a second run
// restoring them. No address outside the namespaces may be used (the
// namespaces have no other network, and only their own loopback). Needs
// root and iproute2; skipped otherwise and with -short.
func TestNetnsCluster(t *testing.T) {
	netnsSkip(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	nw := newTestNet(ctx, t)
	wantZ, wantTotal := netnsExpected(ctx, t)

	const port = 4222 // free: namespace a is new
	natsURL := "nats://" + net.JoinHostPort(nw.addr[0], strconv.Itoa(port))
	var workers [2]*netnsProc
	for i := range workers {
		// Named after its namespace, with its own scratch directory, and
		// leaving if this test dies (standard input closed).
		env := append(netnsEnviron(),
			cluster.EnvWorker+"=1", cluster.EnvNATS+"="+natsURL, cluster.EnvID+"="+nw.ns[i+1],
			cluster.EnvSlots+"=2", cluster.EnvDir+"="+t.TempDir(), cluster.EnvParentPipeForTest+"=1")
		workers[i] = netnsStart(ctx, t, nw, nw.ns[i+1], exe, env)
	}
	p := netnsPlan{Host: nw.addr[0], Port: port, Bucket: "cairn_netns", Workers: 2,
		JoinTimeout: 30 * time.Second, Report: filepath.Join(t.TempDir(), "report.json")}
	plan, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	driver := netnsStart(ctx, t, nw, nw.ns[0], exe, append(netnsEnviron(), envNetnsPlan+"="+string(plan)),
		"-test.run=^TestNetnsDriver$", "-test.count=1", "-test.v", "-test.timeout=2m")

	// The driver closes its executor once done; the workers see it leave
	// and leave too, through NATS, which the driver keeps up until told
	// (its standard input closed).
	select {
	case <-netnsAllDone(workers[:]):
	case <-driver.done: // it failed
	case <-ctx.Done():
	}
	alone := [2]bool{workers[0].exited(), workers[1].exited()}
	driver.stop(15 * time.Second)
	for _, w := range workers {
		w.stop(10 * time.Second)
	}
	if driver.err != nil {
		t.Fatalf("the driver in %s: %v\n%s", nw.ns[0], driver.err, netnsOutputs(driver, workers))
	}
	b, err := os.ReadFile(p.Report)
	if err != nil {
		t.Fatalf("the driver wrote no report: %v\n%s", err, netnsOutputs(driver, workers))
	}
	var rep netnsReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Logf("report: %s\n%s", b, netnsOutputs(driver, workers))
		}
	}()
	for i, w := range workers {
		if !alone[i] || w.err != nil {
			t.Errorf("worker %s did not leave by itself when its driver left (exit: %v)", nw.ns[i+1], w.err)
		}
	}
	netnsCheckPlaces(t, nw, workers, &rep)
	netnsCheckRuns(t, nw, &rep, wantZ, wantTotal)
	t.Logf("namespaces %v, workers %v, %v in all", nw.ns, rep.Workers, time.Since(start).Round(time.Millisecond))
}

// netnsCheckPlaces checks that each process ran in its namespace and used
// only that namespace's address: NATS and the store on a's, each worker's
// data plane on its own (where it listens: a process can bind only to an
// address of its namespace).
func netnsCheckPlaces(t *testing.T, nw *testNet, workers [2]*netnsProc, rep *netnsReport) {
	t.Helper()
	for what, u := range map[string]string{"the driver's NATS URL": rep.NATS, "the checkpoint store URL": rep.Store} {
		if h := netnsHost(t, u); h != nw.addr[0] {
			t.Errorf("%s is %s: want namespace a's address %s", what, u, nw.addr[0])
		}
	}
	if len(rep.Workers) != 2 {
		t.Fatalf("the driver saw workers %+v: want the two of namespaces b and c", rep.Workers)
	}
	for i, w := range rep.Workers { // by ID: b, then c
		if w.ID != nw.ns[i+1] || w.PID != workers[i].pid {
			t.Errorf("worker %d is %s (pid %d): want %s, the process started in that namespace (pid %d)", i, w.ID, w.PID, nw.ns[i+1], workers[i].pid)
		}
		if h, _, err := net.SplitHostPort(w.Addr); err != nil || h != nw.addr[i+1] {
			t.Errorf("worker %s advertises its data plane at %s: want its namespace's address %s", w.ID, w.Addr, nw.addr[i+1])
		}
	}
}

// netnsCheckRuns checks the two runs: the right results, everything
// computed and restored on the workers, blocks fetched from one worker by
// the other and never through the driver, the checkpoints in the bucket,
// and the second run restoring them.
func netnsCheckRuns(t *testing.T, nw *testNet, rep *netnsReport, wantZ, wantTotal float64) {
	t.Helper()
	isWorker := func(w string) bool { return w == nw.ns[1] || w == nw.ns[2] }
	for i, r := range rep.Runs {
		if r.Z != wantZ || r.Total != wantTotal {
			t.Errorf("run %d: seed result %v and total %v; computed in this process: %v and %v", i+1, r.Z, r.Total, wantZ, wantTotal)
		}
		if st := r.Stats; st.Failed != 0 || st.Lost != 0 || st.Recomputed != 0 || st.RestoreFailed != 0 || st.CheckpointFailed != 0 {
			t.Errorf("run %d: stats %+v: want nothing failed or lost", i+1, st)
		}
		for w, n := range r.Finished {
			if !isWorker(w) {
				t.Errorf("run %d: %d thunks ran on %q, which is neither worker", i+1, n, w)
			}
		}
		for w, n := range r.Restored {
			if !isWorker(w) {
				t.Errorf("run %d: %d thunks were restored on %q, which is neither worker", i+1, n, w)
			}
		}
	}

	// Run 1 computed everything on the workers and checkpointed every sum
	// and both results (the random blocks are not checkpointed: cheaper to
	// make again) into the bucket.
	blocks := (netnsN / netnsBlock) * (netnsN / netnsBlock)
	r1 := rep.Runs[0]
	if r1.Stats.Computed != 2*blocks+2 || r1.Finished[nw.ns[1]]+r1.Finished[nw.ns[2]] != 2*blocks+2 {
		t.Errorf("run 1 computed %d thunks, %v by worker: want %d, all on the workers", r1.Stats.Computed, r1.Finished, 2*blocks+2)
	}
	if r1.Stats.Checkpointed != blocks+2 || rep.Checkpoints != blocks+2 {
		t.Errorf("run 1 checkpointed %d values and the bucket holds %d: want %d (the sums and both results)",
			r1.Stats.Checkpointed, rep.Checkpoints, blocks+2)
	}
	// The total's task took blocks made on both workers: the one that ran
	// it fetched the other's from the other namespace, and no block passed
	// through the driver.
	other := nw.ns[1]
	if r1.TotalOn == nw.ns[1] {
		other = nw.ns[2]
	}
	if !isWorker(r1.TotalOn) || r1.BlocksOn[other] == 0 {
		t.Errorf("the blocks were made %v and summed on %q: want blocks on both workers, so that one fetches from the other", r1.BlocksOn, r1.TotalOn)
	} else {
		t.Logf("%s fetched %d blocks of %d KiB from %s", r1.TotalOn, r1.BlocksOn[other], netnsBlock*netnsBlock*8>>10, other)
	}
	if rep.Exec.DriverBytesIn >= netnsBlock*netnsBlock*8 {
		t.Errorf("the driver received %d bytes: the blocks (%d bytes each) should move between workers only", rep.Exec.DriverBytesIn, netnsBlock*netnsBlock*8)
	}

	// Run 2, on a new scheduler, restored both results from the bucket,
	// on a worker, and computed nothing.
	if r2 := rep.Runs[1]; r2.Stats.Restored != 2 || r2.Stats.Computed != 0 {
		t.Errorf("run 2: restored %d and computed %d: want both results restored, nothing computed", r2.Stats.Restored, r2.Stats.Computed)
	}
}

// netnsExpected computes the workload in this process.
func netnsExpected(ctx context.Context, t *testing.T) (z, total float64) {
	t.Helper()
	_, zt, tt, err := netnsGraph()
	if err != nil {
		t.Fatal(err)
	}
	s := cairn.New(&cairn.Config{Parallelism: 2})
	defer s.Close()
	cs, err := cairn.ComputeAll(ctx, s, []*cairn.Thunk{zt, tt})
	if err != nil {
		t.Fatal(err)
	}
	if z, err = cairn.Value[float64](ctx, cs[0]); err == nil {
		total, err = cairn.Value[float64](ctx, cs[1])
	}
	if err != nil {
		t.Fatal(err)
	}
	return z, total
}

// netnsHost returns the host of a URL.
func netnsHost(t *testing.T, s string) string {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Errorf("URL %q: %v", s, err)
		return ""
	}
	return u.Hostname()
}
