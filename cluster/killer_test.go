package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
)

// crash kills the worker process that runs it (in the test's own process
// it just returns, so that a mistake cannot end the test binary).
func crash(x float64) float64 {
	if cluster.IsWorker() {
		os.Exit(3)
	}
	return x
}

// pause sleeps, so that tasks are running when the crash comes.
func pause(x float64) float64 {
	time.Sleep(100 * time.Millisecond)
	return x * x
}

var (
	crashFn = cairn.Register("ct.crash", crash)
	pauseFn = cairn.Register("ct.pause", pause)
)

// TestTaskKillingWorkers runs a task that kills every worker it lands on,
// beside innocent tasks: the run fails once that task was lost
// LostRetries+1 times, with an error naming it and matching cairn.ErrLost;
// the innocent tasks are lost at most once each, and finish.
func TestTaskKillingWorkers(t *testing.T) {
	const retries = 2
	c := startCluster(t, cluster.Config{Workers: retries + 2, SlotsPerWorker: 1})
	l := newLedger(t, nil)
	s := cairn.New(&cairn.Config{Executor: c.ex, LostRetries: retries, Listeners: []cairn.Listener{l},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()
	var innocent []*cairn.Thunk
	for i := range 16 {
		innocent = append(innocent, cairn.Delayed(pauseFn, cairn.Options{Name: fmt.Sprintf("innocent%d", i)})(float64(i)))
	}
	killer := cairn.Delayed(crashFn, cairn.Options{Name: "killer"})(1.0)
	targets := append([]*cairn.Thunk{killer}, innocent...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var st cairn.RunStats
	_, err := cairn.ComputeAll(ctx, s, targets, cairn.RunOptions{KeepGoing: true, Stats: &st})
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) || fe.Name != "killer" || !errors.Is(err, cairn.ErrLost) {
		t.Fatalf("err %v: want the killer's failure, matching cairn.ErrLost", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, th := range l.thunks {
		switch {
		case th.name == "killer":
			if th.lost != retries+1 {
				t.Errorf("the killer was lost %d times, want %d", th.lost, retries+1)
			}
		case th.lost > 1 || th.finished != 1:
			t.Errorf("innocent thunk %s#%d was lost %d times and finished %d times: want at most once, and once", th.name, id, th.lost, th.finished)
		}
	}
	t.Logf("err: %v; stats: %+v", err, st)
}
