package cairn_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/exec"
)

// lossy is an executor whose results live on pretend workers: chunks carry
// a location, and killing a worker loses the chunks it held, as a cluster
// does. It is a fake for fault injection; the cluster package tests the
// real thing with real processes.
type lossy struct {
	slots   int
	mu      sync.Mutex
	dead    map[string]bool
	n       int
	killAt  map[int]string    // after the n-th task, kill this worker
	always  map[string]bool   // task names that are lost every time
	ran     map[string]int    // runs per task name
	release atomic.Int32      // Release calls
	where   func(int) string  // worker of the n-th task
	watch   func(slots int)   // Elastic
	store   *checkpoint.Store // if set, checkpoint requests are written here, before the result returns
}

type lossyChunk struct {
	e   *lossy
	v   any
	at  string
	key string
}

func (c *lossyChunk) Value(context.Context) (any, error) {
	if c.e.isDead(c.at) {
		return nil, &exec.LostError{Worker: c.at, Err: errors.New("held by a dead worker")}
	}
	return c.v, nil
}
func (c *lossyChunk) Key() string                   { return c.key }
func (c *lossyChunk) Location() string              { return c.at }
func (c *lossyChunk) Size() int64                   { return 8 }
func (c *lossyChunk) Release(context.Context) error { c.e.release.Add(1); return nil }

func (e *lossy) isDead(w string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dead[w]
}

func (e *lossy) Slots() int { return e.slots }

func (e *lossy) Watch(f func(int)) func() {
	e.mu.Lock()
	e.watch = f
	e.mu.Unlock()
	return func() {}
}

func (e *lossy) Execute(ctx context.Context, t *exec.Task) (exec.Result, error) {
	var lost []int
	var worker string
	for i, a := range t.Args {
		if rc, ok := a.(*lossyChunk); ok && e.isDead(rc.at) {
			lost = append(lost, i)
			worker = rc.at
		}
	}
	if lost != nil {
		return exec.Result{}, &exec.LostError{Worker: worker, Inputs: lost, Err: errors.New("input held by a dead worker")}
	}
	e.mu.Lock()
	e.n++
	n := e.n
	at := e.where(n)
	e.ran[t.Name]++
	always := e.always[t.Name]
	e.mu.Unlock()
	if always {
		return exec.Result{}, &exec.LostError{Worker: at, Err: errors.New("the worker died running it")}
	}
	v, err := exec.Run(ctx, t)
	if err != nil {
		return exec.Result{}, err
	}
	var outcome chan exec.CheckpointOutcome
	if req := t.Checkpoint; req != nil && e.store != nil {
		outcome = make(chan exec.CheckpointOutcome, 1)
		info, err := e.store.Put(ctx, req.Key, v, req.Meta)
		outcome <- exec.CheckpointOutcome{Bytes: info.Size, Err: err}
	}
	e.mu.Lock()
	if w, ok := e.killAt[n]; ok {
		e.dead[w] = true
	}
	e.mu.Unlock()
	res := exec.Result{Chunk: &lossyChunk{e: e, v: v, at: at, key: t.Key}, Worker: at}
	if outcome != nil {
		res.Checkpoint = outcome
	}
	return res, nil
}

func newLossy() *lossy {
	return &lossy{slots: 1, dead: map[string]bool{}, killAt: map[int]string{}, always: map[string]bool{}, ran: map[string]int{},
		where: func(n int) string { return fmt.Sprintf("w%d", n%2) }}
}

func lsq(x float64) float64 { return x * x }

func lsum(xs ...float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

var (
	lsqFn  = cairn.Register("lost.sq", lsq)
	lsumFn = cairn.Register("lost.sum", lsum)
)

func lostGraph() *cairn.Thunk {
	ys := make([]*cairn.Thunk, 8)
	for i := range ys {
		ys[i] = cairn.Delayed(lsqFn, cairn.Options{Name: fmt.Sprintf("sq%d", i)})(float64(i))
	}
	return cairn.Delayed(lsumFn, cairn.Options{Name: "sum"})(cairn.Args(ys)...)
}

// A worker dying after it made half the squares: the sum finds its inputs
// lost, they are computed again on the live worker, and the answer is right.
func TestLostInputsAreRecomputed(t *testing.T) {
	e := newLossy()
	e.killAt[8] = "w0" // after the last square, w0 dies with the squares it made
	var st cairn.RunStats
	s := newSched(t, &cairn.Config{Executor: e, Logger: quietLog()})
	e.where = func(n int) string {
		if n <= 8 {
			return fmt.Sprintf("w%d", n%2)
		}
		return "w1"
	}
	got, err := cairn.Collect[float64](context.Background(), s, lostGraph(), cairn.RunOptions{Stats: &st})
	if err != nil || got != 140 {
		t.Fatalf("%v, %v", got, err)
	}
	if st.Lost != 1 || st.Recomputed != 4 || st.Computed != 13 {
		t.Fatalf("stats %+v: want 1 lost execution, 4 squares recomputed, 13 computed", st)
	}
}

// With checkpoints, the lost squares are restored, not recomputed.
func TestLostInputsAreRestoredFromCheckpoints(t *testing.T) {
	e := newLossy()
	e.killAt[8] = "w0"
	e.where = func(n int) string {
		if n <= 8 {
			return fmt.Sprintf("w%d", n%2)
		}
		return "w1"
	}
	store := openStore(t, "mem://")
	e.store = store
	var st cairn.RunStats
	s := newSched(t, &cairn.Config{Executor: e, Checkpoints: store, Logger: quietLog()})
	got, err := cairn.Collect[float64](context.Background(), s, lostGraph(), cairn.RunOptions{Stats: &st})
	if err != nil || got != 140 {
		t.Fatalf("%v, %v", got, err)
	}
	if st.Lost != 1 || st.Recomputed != 0 || st.Restored != 4 {
		t.Fatalf("stats %+v: want 1 lost, 0 recomputed, 4 restored", st)
	}
}

// A task lost every time it runs fails the run after Config.LostRetries,
// with an error naming it.
func TestAlwaysLostTaskFails(t *testing.T) {
	e := newLossy()
	e.always["sq3"] = true
	s := newSched(t, &cairn.Config{Executor: e, LostRetries: 2, Logger: quietLog()})
	_, err := cairn.Compute(context.Background(), s, lostGraph())
	var fe *cairn.ThunkFailedError
	if !errors.As(err, &fe) || fe.Name != "sq3" || !errors.Is(err, cairn.ErrLost) {
		t.Fatalf("err %v", err)
	}
	if e.ran["sq3"] != 3 {
		t.Fatalf("sq3 ran %d times, want 3 (1 + 2 retries)", e.ran["sq3"])
	}
}

// Intermediate results held elsewhere are released once consumed.
func TestRemoteResultsReleased(t *testing.T) {
	e := newLossy()
	s := newSched(t, &cairn.Config{Executor: e, Logger: quietLog()})
	if _, err := cairn.Collect[float64](context.Background(), s, lostGraph()); err != nil {
		t.Fatal(err)
	}
	s.Close() // waits for background releases
	if n := e.release.Load(); n != 8 {
		t.Fatalf("%d releases, want the 8 squares", n)
	}
}

// An elastic executor's slot changes reach the scheduler.
func TestElasticExecutor(t *testing.T) {
	e := newLossy()
	s := newSched(t, &cairn.Config{Executor: e})
	if s.Parallelism() != 1 {
		t.Fatalf("parallelism %d", s.Parallelism())
	}
	e.mu.Lock()
	watch := e.watch
	e.mu.Unlock()
	watch(5)
	if s.Parallelism() != 5 {
		t.Fatalf("parallelism %d after the executor grew to 5", s.Parallelism())
	}
}
