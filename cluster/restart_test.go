package cluster_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
)

// workerIDs lists the identities of an executor's live workers.
func workerIDs(ex *cluster.Executor) []string {
	var ids []string
	for _, w := range ex.Workers() {
		ids = append(ids, w.ID)
	}
	return ids
}

// TestWorkerRestartedFast restarts a worker under the same identity (as
// Kubernetes restarts a pod under its name) before the driver noticed its
// death, after it made a value that the test holds as a chunk: a task
// taking that chunk fails, saying the chunk is lost and cannot be made
// again by that run; it never gets a value of the new process that
// happens to have the same number in its store.
func TestWorkerRestartedFast(t *testing.T) {
	c := startCluster(t, cluster.Config{WorkerTimeout: time.Minute})
	s := cairn.New(&cairn.Config{Executor: c.ex})
	defer s.Close()
	pod := c.startWorker(t, "pod-1")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const n, m = 100000, 200000
	x, err := cairn.Compute(ctx, s, cairn.Delayed(bigFn)(n))
	if err != nil {
		t.Fatal(err)
	}
	kill(t, pod.Process.Pid)
	c.startWorker(t, "pod-1")
	// The new process makes a value of its own, before the driver could
	// tell the old one was gone (its timeout is a minute).
	if _, err := cairn.Compute(ctx, s, cairn.Delayed(bigFn)(m)); err != nil {
		t.Fatal(err)
	}
	got, err := cairn.Collect[float64](ctx, s, cairn.Delayed(sumSliceFn)(x))
	if err == nil {
		if want := float64(n) * (n - 1) / 2; got != want {
			t.Fatalf("sum of the value made before the restart: %v, want %v (the value made after it sums to %v)",
				got, want, float64(m)*(m-1)/2)
		}
		t.Fatal("the chunk of a dead worker was read")
	}
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) || !errors.Is(err, cairn.ErrLost) || !strings.Contains(err.Error(), "argument 1") {
		t.Fatalf("err %v: want the thunk's failure, naming its lost argument, matching cairn.ErrLost", err)
	}
	t.Log(err)
}

// TestWorkerRestartedRejoins restarts a worker under the same identity
// after the driver took the old process for dead: the new process joins
// and runs tasks.
func TestWorkerRestartedRejoins(t *testing.T) {
	c := startCluster(t, cluster.Config{Workers: 1, SlotsPerWorker: 1})
	l := newLedger(t, nil)
	s := cairn.New(&cairn.Config{Executor: c.ex, Listeners: []cairn.Listener{l}})
	defer s.Close()
	pod := c.startWorker(t, "pod-1")
	waitFor(t, 30*time.Second, "pod-1 to join", func() bool { return slices.Contains(workerIDs(c.ex), "pod-1") })
	kill(t, pod.Process.Pid)
	waitFor(t, 30*time.Second, "pod-1 to be taken for dead", func() bool { return !slices.Contains(workerIDs(c.ex), "pod-1") })
	c.startWorker(t, "pod-1")
	waitFor(t, 30*time.Second, "pod-1, restarted, to join again", func() bool { return slices.Contains(workerIDs(c.ex), "pod-1") })
	z, want := squaresTotal(pauseFn, 20)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := cairn.Collect[float64](ctx, s, z)
	if err != nil || got != want {
		t.Fatalf("%v, %v; want %v", got, err, want)
	}
	if l.finishedOn("pod-1") == 0 {
		t.Fatal("pod-1, restarted, ran no task")
	}
}
