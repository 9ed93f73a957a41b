package cluster_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/cluster"
)

// quickStep is a checkpointed step, quick enough for the local executor.
func quickStep(i int) float64 {
	time.Sleep(40 * time.Millisecond)
	return float64(3*i + 1)
}

var quickStepFn = cairn.Register("ct.quickStep", quickStep)

const resumeSteps = 24

// resumeGraph is the steps and their sum (no checkpoint).
func resumeGraph() (*cairn.Thunk, []*cairn.Thunk) {
	ss := make([]*cairn.Thunk, resumeSteps)
	for i := range ss {
		ss[i] = cairn.Delayed(quickStepFn)(i)
	}
	return cairn.Delayed(totalFn, cairn.Options{NoCheckpoint: true})(cairn.Args(ss)...), ss
}

// stored returns the IDs of the steps whose key is in the store.
func stored(t *testing.T, st *checkpoint.Store, ss []*cairn.Thunk) map[uint64]bool {
	t.Helper()
	m := map[uint64]bool{}
	for _, s := range ss {
		key, err := s.Key()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Stat(context.Background(), key); err == nil {
			m[s.ID()] = true
		}
	}
	return m
}

// stageRun runs the graph on an executor (nil: the local one) and checks
// the run against the checkpoints found before it: each stored step is
// restored and none computed, each other step computed and none restored.
// With stopAfter > 0 the run is cancelled once that many steps finished;
// it returns whether the run completed.
func stageRun(t *testing.T, name string, st *checkpoint.Store, ex *cluster.Executor, stopAfter int) bool {
	t.Helper()
	z, ss := resumeGraph()
	before := stored(t, st, ss)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var mu sync.Mutex
	restored, computed := map[uint64]bool{}, map[uint64]bool{}
	n := 0
	cfg := &cairn.Config{Parallelism: 2, Checkpoints: st, Listeners: []cairn.Listener{cairn.ListenerFunc(func(e cairn.Event) {
		if e.Thunk == nil || e.Thunk.Func().Name() != "ct.quickStep" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case cairn.ThunkRestored:
			restored[e.Thunk.ID()] = true
		case cairn.ThunkFinished:
			computed[e.Thunk.ID()] = true
			if n++; n == stopAfter {
				cancel()
			}
		}
	})}}
	if ex != nil {
		cfg.Executor = ex
	}
	s := cairn.New(cfg)
	got, err := cairn.Collect[float64](ctx, s, z)
	s.Close() // waits for the checkpoints of a cancelled run
	mu.Lock()
	defer mu.Unlock()
	for _, th := range ss {
		id := th.ID()
		if before[id] && computed[id] {
			t.Errorf("%s: step %d was computed, but it was stored before the run", name, id)
		}
		if !before[id] && restored[id] {
			t.Errorf("%s: step %d was restored, but it was not stored before the run", name, id)
		}
	}
	if stopAfter > 0 {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: the run was to be cancelled: %v, %v", name, got, err)
		}
		t.Logf("%s: cancelled with %d stored before, %d restored, %d computed", name, len(before), len(restored), len(computed))
		return false
	}
	want := 0.0
	for i := range resumeSteps {
		want += float64(3*i + 1)
	}
	if err != nil || got != want {
		t.Fatalf("%s: %v, %v; want %v", name, got, err, want)
	}
	if len(restored) != len(before) || len(computed) != resumeSteps-len(before) {
		t.Errorf("%s: restored %d and computed %d steps, with %d stored before the run", name, len(restored), len(computed), len(before))
	}
	t.Logf("%s: %d stored before, %d restored, %d computed", name, len(before), len(restored), len(computed))
	return true
}

// TestResumeAcrossExecutors interrupts a run on the local executor,
// resumes it on a cluster, interrupts that, and finishes it on the local
// executor, all on one file:// store: what one executor checkpointed the
// other restores (the keys do not depend on the executor), and nothing
// checkpointed is computed again.
func TestResumeAcrossExecutors(t *testing.T) {
	st := openStore(t, t.TempDir())
	_, ss := resumeGraph()
	stageRun(t, "local, cancelled", st, nil, 6)
	afterLocal := len(stored(t, st, ss))
	if afterLocal == 0 || afterLocal == resumeSteps {
		t.Fatalf("the local run stored %d of %d steps: want some", afterLocal, resumeSteps)
	}

	// One task in flight per worker: tasks already sent when the run is
	// cancelled still run (and are checkpointed) on their workers.
	c := startCluster(t, cluster.Config{Workers: 2, SlotsPerWorker: 1, Pipeline: 1})
	stageRun(t, "cluster, cancelled", st, c.ex, 6)
	c.ex.Close() // its workers leave: nothing writes to the store any more
	afterCluster := len(stored(t, st, ss))
	if afterCluster <= afterLocal || afterCluster == resumeSteps {
		t.Fatalf("after the cluster run %d of %d steps are stored (%d before): want more, not all", afterCluster, resumeSteps, afterLocal)
	}

	stageRun(t, "local, to the end", st, nil, 0)
}

// TestFinalCheckpointStandsAlone checks that the worker that checkpoints a
// run's single target stores it on its own (a file of its own in a file
// store), as the local executor does, so that a rerun in a new process
// restores it without indexing the store; the other checkpoints are packed.
func TestFinalCheckpointStandsAlone(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	c := startCluster(t, cluster.Config{Workers: 1})
	s := cairn.New(&cairn.Config{Executor: c.ex, Checkpoints: st})
	defer s.Close()
	a := cairn.Delayed(sqFn)(3.0)
	z := cairn.Delayed(sqFn)(a)
	if _, err := cairn.Compute(context.Background(), s, z); err != nil {
		t.Fatal(err)
	}
	own := func(th *cairn.Thunk) bool {
		k, err := th.Key()
		if err != nil {
			t.Fatal(err)
		}
		_, err = os.Stat(filepath.Join(dir, filepath.FromSlash(k)+"~ck"))
		return err == nil
	}
	if !own(z) {
		t.Error("the run's target has no file of its own")
	}
	if own(a) {
		t.Error("an input of the target has a file of its own")
	}
}
