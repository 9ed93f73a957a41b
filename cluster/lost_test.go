package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
)

// markSum sums s after telling the test it started (a file in dir named
// for the process) and waiting a little, so that the test can kill its
// worker while it runs.
func markSum(dir string, s []float64) float64 {
	_ = os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o600)
	time.Sleep(300 * time.Millisecond)
	return sumSlice(s)
}

var markSumFn = cairn.Register("ct.markSum", markSum)

// started waits until a task of markSum started in a process, and returns
// its PID.
func started(t *testing.T, dir string) int {
	t.Helper()
	var pid int
	waitFor(t, 30*time.Second, "a task to start", func() bool {
		es, _ := os.ReadDir(dir)
		for _, e := range es {
			pid, _ = strconv.Atoi(e.Name())
			_ = os.Remove(filepath.Join(dir, e.Name()))
			return true
		}
		return false
	})
	return pid
}

// TestWorkerDeathChargedOnce kills the worker that runs a task and holds
// its input. The task is lost once: run again elsewhere, it finds its
// input gone, which is not a second loss of its own (the task never ran),
// so even with LostRetries 1 the input is recomputed and the run
// succeeds.
func TestWorkerDeathChargedOnce(t *testing.T) {
	c := startCluster(t, cluster.Config{Workers: 2, SlotsPerWorker: 1})
	dir := t.TempDir()
	s := cairn.New(&cairn.Config{Executor: c.ex, LostRetries: 1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()
	const n = 100000 // 800 KB: stays on its worker, and the consumer goes there
	sum := cairn.Delayed(markSumFn)(dir, cairn.Delayed(bigFn)(n))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type answer struct {
		v   float64
		err error
	}
	done := make(chan answer, 1)
	var st cairn.RunStats
	go func() {
		v, err := cairn.Collect[float64](ctx, s, sum, cairn.RunOptions{Stats: &st})
		done <- answer{v, err}
	}()
	kill(t, started(t, dir))
	a := <-done
	if a.err != nil {
		t.Fatalf("one worker death failed the run: %v", a.err)
	}
	if want := float64(n) * (n - 1) / 2; a.v != want {
		t.Fatalf("got %v, want %v", a.v, want)
	}
	if st.Recomputed != 1 {
		t.Fatalf("stats %+v: want the lost input recomputed once", st)
	}
	t.Logf("stats: lost %d, recomputed %d, computed %d", st.Lost, st.Recomputed, st.Computed)
}

// TestLostChunkFromEarlierRun passes a chunk that an earlier run left on
// a worker to a thunk, after that worker died: the run cannot make the
// chunk again, so the thunk fails at once, naming the argument, with an
// error matching cairn.ErrLost.
func TestLostChunkFromEarlierRun(t *testing.T) {
	c := startCluster(t, cluster.Config{Workers: 2, SlotsPerWorker: 1})
	s := cairn.New(&cairn.Config{Executor: c.ex, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	x, err := cairn.Compute(ctx, s, cairn.Delayed(bigFn)(100000))
	if err != nil {
		t.Fatal(err)
	}
	var holder cluster.WorkerInfo
	for _, w := range c.ex.Workers() {
		if strings.Contains(fmt.Sprint(x), w.ID) {
			holder = w
		}
	}
	if holder.PID == 0 {
		t.Fatalf("no worker holds %v", x)
	}
	kill(t, holder.PID)
	waitFor(t, 30*time.Second, "the driver to see the worker gone", func() bool { return len(c.ex.Workers()) == 1 })
	_, err = cairn.Collect[float64](ctx, s, cairn.Delayed(sumSliceFn)(x))
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) || !errors.Is(err, cairn.ErrLost) || !strings.Contains(err.Error(), "argument 1") {
		t.Fatalf("err %v: want the thunk's failure, naming its lost argument, matching cairn.ErrLost", err)
	}
	t.Log(err)
}
