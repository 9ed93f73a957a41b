package cluster_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
)

// TestWorkerJoinsMidRun starts a run on one worker, then a second worker
// by hand, as a launcher on another machine would (the test binary with
// the worker environment): it joins and runs tasks of the same run.
func TestWorkerJoinsMidRun(t *testing.T) {
	c := startCluster(t, cluster.Config{Workers: 1, SlotsPerWorker: 1})
	l := newLedger(t, nil)
	s := cairn.New(&cairn.Config{Executor: c.ex, Listeners: []cairn.Listener{l}})
	defer s.Close()
	z, want := squaresTotal(pauseFn, 30)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	wait := collectAsync(ctx, s, z)
	first := c.ex.Workers()[0].ID
	waitFor(t, 30*time.Second, "a task to finish", func() bool { return l.finishedOn(first) > 0 })
	c.startWorker(t, "hand1")
	got, err := wait()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	if n := l.finishedOn("hand1"); n == 0 {
		t.Fatalf("the worker started by hand ran no task (%d ran on %s)", l.finishedOn(first), first)
	}
	t.Logf("tasks finished: %d on %s, %d on hand1", l.finishedOn(first), first, l.finishedOn("hand1"))
}

// bigPause makes an 800 KB value (it stays on its worker), slowly.
func bigPause(i int) []float64 {
	time.Sleep(50 * time.Millisecond)
	return big(100000 + i)
}

var bigPauseFn = cairn.Register("ct.bigPause", bigPause)

// TestWorkerDrainsOnSIGTERM sends SIGTERM to a worker while it runs a
// task, with more tasks queued for it and values of the run in its
// store: it finishes the running task, takes no more, and leaves; the
// tasks queued for it run elsewhere, its values are made again, and the
// run completes.
func TestWorkerDrainsOnSIGTERM(t *testing.T) {
	c := startCluster(t, cluster.Config{Workers: 2, SlotsPerWorker: 1})
	l := newLedger(t, nil)
	s := cairn.New(&cairn.Config{Executor: c.ex, Listeners: []cairn.Listener{l}})
	defer s.Close()
	dir := t.TempDir()
	const n = 8
	sums := make([]*cairn.Thunk, n)
	want := 0.0
	for i := range sums {
		sums[i] = cairn.Delayed(markSumFn, cairn.Options{Name: fmt.Sprintf("sum%d", i)})(dir, cairn.Delayed(bigPauseFn)(i))
		m := float64(100000 + i)
		want += m * (m - 1) / 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	wait := collectAsync(ctx, s, cairn.Delayed(totalFn)(cairn.Args(sums)...))
	pid := started(t, dir)
	var victim string
	for _, w := range c.ex.Workers() {
		if w.PID == pid {
			victim = w.ID
		}
	}
	if victim == "" {
		t.Fatalf("no worker has PID %d", pid)
	}
	before := l.finishedOn(victim)
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start, _ := procStart(pid)
	waitFor(t, 30*time.Second, "the worker sent SIGTERM to leave", func() bool {
		now, alive := procStart(pid)
		return !alive || now != start
	})
	got, err := wait()
	if err != nil {
		t.Fatalf("SIGTERM to worker %s failed the run: %v", victim, err)
	}
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	if after := l.finishedOn(victim); after <= before {
		t.Errorf("worker %s finished no task after SIGTERM: its running task should finish there", victim)
	}
	t.Logf("worker %s drained; %v", victim, l.counts())
}

// slowSq squares after a short pause: many of them keep tasks queued on
// every worker.
func slowSq(x float64) float64 {
	time.Sleep(2 * time.Millisecond)
	return x * x
}

var slowSqFn = cairn.Register("ct.slowSq", slowSq)

// TestWorkerDrainsWhileBusy asks a worker to drain (Executor.Drain, as
// SIGTERM does) while tasks keep arriving for it: those it had not
// started, and those sent before the driver knew, it declines; they run
// elsewhere, without being counted lost, and the run completes.
func TestWorkerDrainsWhileBusy(t *testing.T) {
	c := startCluster(t, cluster.Config{Workers: 2, SlotsPerWorker: 1})
	l := newLedger(t, nil)
	s := cairn.New(&cairn.Config{Executor: c.ex, Listeners: []cairn.Listener{l}})
	defer s.Close()
	z, want := squaresTotal(slowSqFn, 400)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	wait := collectAsync(ctx, s, z)
	victim := c.ex.Workers()[0]
	waitFor(t, 30*time.Second, "tasks to finish on the worker", func() bool { return l.finishedOn(victim.ID) > 20 })
	if err := c.ex.Drain(victim.ID); err != nil {
		t.Fatal(err)
	}
	got, err := wait()
	if err != nil {
		t.Fatalf("draining worker %s failed the run: %v", victim.ID, err)
	}
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	if cs := l.counts(); cs.Lost != 0 {
		t.Errorf("%v: tasks a draining worker did not run are not lost", cs)
	}
	start, _ := procStart(victim.PID)
	waitFor(t, 30*time.Second, "the drained worker to exit", func() bool {
		now, alive := procStart(victim.PID)
		return !alive || now != start
	})
	t.Logf("finished: %d on %s (drained); executor %+v", l.finishedOn(victim.ID), victim.ID, c.ex.Stats())
}

// squaresTotal returns a thunk of the total of fn(i) for i < n, each a
// thunk of its own, and that total for an fn that squares.
func squaresTotal(fn any, n int) (*cairn.Thunk, float64) {
	ys := make([]*cairn.Thunk, n)
	want := 0.0
	for i := range ys {
		ys[i] = cairn.Delayed(fn)(float64(i))
		want += float64(i * i)
	}
	return cairn.Delayed(totalFn)(cairn.Args(ys)...), want
}

// collectAsync collects z in the background; wait returns its result.
func collectAsync(ctx context.Context, s *cairn.Scheduler, z *cairn.Thunk) (wait func() (float64, error)) {
	type result struct {
		v   float64
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := cairn.Collect[float64](ctx, s, z)
		done <- result{v, err}
	}()
	return func() (float64, error) {
		r := <-done
		return r.v, r.err
	}
}
