package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn/exec"
	"github.com/cairnlabs/cairn/internal/inflight"
	"github.com/cairnlabs/cairn/internal/sched"
)

// run gives one run's graph its meaning: it implements sched.Hooks. It
// holds no context: the engine passes the run's to every hook.
type run struct {
	s       *Scheduler
	id      uint64
	runID   string // names the run in checkpoint stores
	name    string
	g       *graph
	sr      *sched.Run
	spawned bool         // the run of a spawned node (Spawn)
	results []exec.Chunk // guarded by resMu
	// resMu guards results: a lost node runs (or is restored) again while
	// consumers dispatched with its old value may still be reading it.
	resMu   sync.Mutex
	keys    []string // checkpoint keys in the store ("" = not stored); nil without a store
	attempt []int32
	lostN   []int32 // times each node was lost
	made    []bool  // made[i]: node i has succeeded in this run before
	events  bool

	restoreMu     sync.Mutex
	restoreQ      []int32
	restoreActive int

	ckpts inflight.Counter // this run's checkpoint writes

	computed, restored, failed          atomic.Int64
	checkpointed, ckptFailed, rstFailed atomic.Int64
	lost, recomputed                    atomic.Int64
	bytesWritten, bytesRead             atomic.Int64
}

func newRun(s *Scheduler, id uint64, name string, g *graph, events bool) *run {
	n := len(g.nodes)
	r := &run{s: s, id: id, runID: newRunID(), name: name, g: g, events: events,
		results: make([]exec.Chunk, n), attempt: make([]int32, n), lostN: make([]int32, n), made: make([]bool, n)}
	if s.cfg.Store != nil {
		r.keys = r.computeKeys()
	}
	r.markRestorable()
	return r
}

// markRestorable tells the engine which nodes to restore before running.
func (r *run) markRestorable() {
	var mark []bool
	for i := range r.g.nodes {
		if r.restorable(int32(i)) {
			if mark == nil {
				mark = make([]bool, len(r.g.nodes))
			}
			mark[i] = true
		}
	}
	r.g.spec.Restorable = mark
}

// QuietScheduling tells the engine not to report queued nodes when nobody
// listens.
func (r *run) QuietScheduling() bool { return !r.events }

func (r *run) Scheduled(i int32) {
	if r.events {
		r.s.cfg.Sink(r.nodeEvent(Scheduled, i))
	}
}

// Release lets go of node i's value: no consumer needs it any more, or it
// was lost and is made again. A value held by a worker is freed there, in
// the background.
func (r *run) Release(i int32) {
	c := r.setResult(i, nil)
	if rem, ok := c.(exec.Remote); ok && !r.g.external[i] {
		r.s.goBackground(func() { _ = rem.Release(context.Background()) })
	}
}

// releaseRest frees the values a successful run still holds that no caller
// will see: all but the targets' (those of spawned nodes belong to their
// own run). After a failed or cancelled run, nodes may still be executing
// or restoring and writing their results: what those hold is freed when
// the executor's references are collected (exec.Remote).
func (r *run) releaseRest(ctx context.Context) {
	keep := make(map[int32]bool, len(r.g.spec.Targets))
	for _, t := range r.g.spec.Targets {
		keep[t] = true
	}
	var rems []exec.Remote
	r.resMu.Lock()
	for i, c := range r.results {
		if rem, ok := c.(exec.Remote); ok && !keep[int32(i)] && !r.g.external[i] {
			rems = append(rems, rem)
		}
	}
	r.resMu.Unlock()
	if len(rems) == 0 {
		return
	}
	r.s.goBackground(func() {
		for _, rem := range rems {
			_ = rem.Release(context.WithoutCancel(ctx))
		}
	})
}

// Execute runs node i: arguments from the results of its dependencies, the
// function on the executor, then the checkpoint.
func (r *run) Execute(ctx context.Context, i int32, w int) sched.Outcome {
	n := r.g.nodes[i]
	r.attempt[i]++
	attempt := int(r.attempt[i])
	task := &exec.Task{ID: n.ID, Name: n.Name(), Func: n.Fn, Args: make([]exec.Chunk, len(n.Args)),
		Key: r.lineageKey(i), Attempt: attempt, Slot: w}
	if lost := r.taskArgs(i, task); lost != nil {
		return r.lose(ctx, i, w, attempt, &exec.LostError{Err: errors.New("inputs were released")}, lostInputs{deps: lost})
	}
	store := r.key(i) != ""
	if store {
		task.Checkpoint = r.checkpointRequest(i)
	}
	if r.events {
		e := r.nodeEvent(Started, i)
		e.Slot, e.Attempt = w, attempt
		r.s.cfg.Sink(e)
	}
	var start time.Time
	timed := r.events || r.keys != nil
	if timed {
		start = time.Now()
	}
	res, err := r.call(ctx, n, task)
	if err == nil && res.Chunk == nil {
		err = errors.New("cairn: the executor returned no result chunk and no error")
	}
	took := res.Duration
	if timed && took == 0 {
		took = time.Since(start)
	}
	if err != nil {
		if errors.Is(err, exec.ErrLost) {
			return r.lose(ctx, i, w, attempt, err, r.lostDeps(i, task, err))
		}
		if d, ok := r.retry(ctx, n, attempt, err); ok {
			if r.events {
				e := r.nodeEvent(Retrying, i)
				e.Slot, e.Worker, e.Attempt, e.Duration, e.Err = w, res.Worker, attempt, d, err
				r.s.cfg.Sink(e)
			}
			return sched.Outcome{Retry: d}
		}
		return sched.Outcome{Err: r.fail(ctx, i, w, res.Worker, attempt, took, err)}
	}
	// A required checkpoint is part of the thunk: it finishes only once
	// the checkpoint is written (listeners see finished or failed, never
	// both). Other checkpoints are written in the background.
	required := n.Opts != nil && n.Opts.CheckpointRequired
	if required {
		if err := r.checkpoint(ctx, i, res, took); err != nil {
			return sched.Outcome{Err: r.fail(ctx, i, w, res.Worker, attempt, took, err)}
		}
	}
	r.setResult(i, res.Chunk)
	r.computed.Add(1)
	if r.made[i] {
		r.recomputed.Add(1)
	}
	r.made[i] = true
	if r.events {
		e := r.nodeEvent(Finished, i)
		e.Slot, e.Worker, e.Attempt, e.Duration, e.Bytes = w, res.Worker, attempt, took, res.Bytes
		r.s.cfg.Sink(e)
	}
	if !required {
		_ = r.checkpoint(ctx, i, res, took) // in the background; reports its own outcome
	}
	return sched.Outcome{}
}

// taskArgs fills the task's arguments; it returns the dependencies whose
// values are gone, if any.
func (r *run) taskArgs(i int32, task *exec.Task) []int32 {
	if r.g.spec.DepStart[i+1] > r.g.spec.DepStart[i] { // it reads results
		r.resMu.Lock()
		defer r.resMu.Unlock()
	}
	n := r.g.nodes[i]
	nodes := r.g.argNode[r.g.argStart[i]:r.g.argStart[i+1]]
	var lost []int32
	for j, a := range n.Args {
		if d := nodes[j]; d >= 0 {
			if task.Args[j] = r.results[d]; task.Args[j] == nil {
				lost = append(lost, d)
			}
			continue
		}
		switch a := a.(type) {
		case *Composite:
			l := &exec.List{Elems: make([]exec.Chunk, len(a.Elems)), Keys: a.Keys}
			for k, e := range a.Elems {
				if d, ok := e.(*Node); ok {
					di := r.g.index[d]
					if l.Elems[k] = r.results[di]; l.Elems[k] == nil {
						lost = append(lost, di)
					}
					continue
				}
				l.Elems[k] = chunkOf(e)
			}
			task.Args[j] = l
		default:
			task.Args[j] = chunkOf(a)
		}
	}
	return lost
}

// result returns node i's value, or nil.
func (r *run) result(i int32) exec.Chunk {
	r.resMu.Lock()
	defer r.resMu.Unlock()
	return r.results[i]
}

// setResult sets node i's value and returns the one it replaces.
func (r *run) setResult(i int32, c exec.Chunk) exec.Chunk {
	r.resMu.Lock()
	defer r.resMu.Unlock()
	old := r.results[i]
	r.results[i] = c
	return old
}

// chunkOf returns a chunk as is and wraps a literal value.
func chunkOf(a any) exec.Chunk {
	if c, ok := a.(exec.Chunk); ok {
		return c
	}
	return exec.NewValue(a, "")
}

// lostInputs is what a loss report means for a node's inputs.
type lostInputs struct {
	deps  []int32 // the nodes whose values are gone: made again
	stale bool    // some named inputs were made again since the task got them
	// external numbers (from 1) an argument the report names that this
	// run did not make (a chunk from an earlier run): it cannot be made
	// again. 0 if none.
	external int
}

// lostDeps maps the inputs a *exec.LostError names to the nodes that made
// them. It leaves out a node whose value is no longer the one the task was
// given: another consumer reported the loss first, and the node was made,
// or is being made, again — resetting it again would throw away its new
// value.
func (r *run) lostDeps(i int32, task *exec.Task, err error) lostInputs {
	var li lostInputs
	var le *exec.LostError
	if !errors.As(err, &le) {
		return li
	}
	n := r.g.nodes[i]
	nodes := r.g.argNode[r.g.argStart[i]:r.g.argStart[i+1]]
	r.resMu.Lock()
	defer r.resMu.Unlock()
	for _, j := range le.Inputs {
		if j < 0 || j >= len(nodes) || j >= len(task.Args) {
			continue
		}
		if d := nodes[j]; d >= 0 {
			if sameChunk(r.results[d], task.Args[j]) {
				li.deps = append(li.deps, d)
			} else {
				li.stale = true
			}
			continue
		}
		c, ok := n.Args[j].(*Composite)
		l, _ := task.Args[j].(*exec.List)
		if !ok || l == nil || len(l.Elems) != len(c.Elems) {
			if _, remote := task.Args[j].(exec.Remote); remote {
				li.external = j + 1
			}
			continue
		}
		for k, e := range c.Elems {
			d, ok := e.(*Node)
			switch {
			case !ok:
				if rem, remote := l.Elems[k].(exec.Remote); remote && rem.Location() == le.Worker {
					li.external = j + 1
				}
			case sameChunk(r.results[r.g.index[d]], l.Elems[k]):
				li.deps = append(li.deps, r.g.index[d])
			default:
				li.stale = true
			}
		}
	}
	return li
}

// sameChunk reports whether chunk a is b. Chunks that are not pointers
// (executors' references are) count as the same if their types are.
func sameChunk(a, b exec.Chunk) bool {
	ta := reflect.TypeOf(a)
	if ta != reflect.TypeOf(b) || ta == nil {
		return false
	}
	if ta.Kind() != reflect.Pointer {
		return true
	}
	return a == b
}

// lose handles a lost execution of node i: the values of li.deps are gone
// (forgotten and made again by the engine), and the node runs again —
// unless it was lost too often, which fails it, or it needs a lost value
// that this run cannot make again. Only executions that may have run
// count against LostRetries: one that found inputs gone never ran (its
// worker's death was counted against the tasks that worker was running),
// and counting it too would fail an innocent node after two deaths. A
// report that names no input to make again counts, so that losses that
// make no progress end.
func (r *run) lose(ctx context.Context, i int32, w, attempt int, err error, li lostInputs) sched.Outcome {
	r.lost.Add(1)
	var le *exec.LostError
	worker := ""
	if errors.As(err, &le) {
		worker = le.Worker
	}
	if len(li.deps) == 0 && !li.stale {
		r.lostN[i]++
	}
	if r.events {
		e := r.nodeEvent(Lost, i)
		e.Slot, e.Worker, e.Attempt, e.Err = w, worker, attempt, err
		r.s.cfg.Sink(e)
	}
	if li.external > 0 {
		return sched.Outcome{Err: r.fail(ctx, i, w, worker, attempt, 0, &LostInputError{Arg: li.external, Err: err})}
	}
	if int(r.lostN[i]) > r.s.cfg.LostRetries {
		return sched.Outcome{Err: r.fail(ctx, i, w, worker, attempt, 0,
			&LostTooOftenError{Times: int(r.lostN[i]), Err: err})}
	}
	// The engine releases these nodes (Release forgets their results,
	// under its lock) and makes them again.
	return sched.Outcome{Lost: true, LostDeps: li.deps}
}

// LostInputError is the cause of a node's failure when an argument that
// its run did not make — a chunk from an earlier run — was lost with the
// worker holding it: the run cannot make it again.
type LostInputError struct {
	Arg int // the argument, from 1
	Err error
}

func (e *LostInputError) Error() string {
	return fmt.Sprintf("argument %d, a chunk this run did not make (from an earlier run), is lost, and this run cannot make it again: pass the thunk that made it rather than its chunk, or compute it again: %v", e.Arg, e.Err)
}

func (e *LostInputError) Unwrap() error { return e.Err }

// LostTooOftenError is the cause of a node's failure when it was lost more
// times than allowed: whatever it does kills the workers that run it, or
// workers keep leaving.
type LostTooOftenError struct {
	Times int
	Err   error
}

func (e *LostTooOftenError) Error() string {
	return "lost " + plural(e.Times, "time") + " (its worker died or left each time; a task that kills its worker, or workers that keep leaving?): last: " + e.Err.Error()
}

func (e *LostTooOftenError) Unwrap() error { return e.Err }

// call runs the task on the executor, within the node's timeout if it has
// one: a function that ignores its context is reported as timed out when
// the time is up, and its result is discarded when it returns.
func (r *run) call(ctx context.Context, n *Node, task *exec.Task) (exec.Result, error) {
	if n.Opts == nil || n.Opts.Timeout <= 0 {
		return r.s.cfg.Exec.Execute(ctx, task)
	}
	tctx, cancel := context.WithTimeout(ctx, n.Opts.Timeout)
	type answer struct {
		res exec.Result
		err error
	}
	done := make(chan answer, 1)
	call := func() {
		defer cancel()
		res, err := r.s.cfg.Exec.Execute(tctx, task)
		done <- answer{res, err}
	}
	if !r.s.goBackground(call) {
		call()
	}
	select {
	case a := <-done:
		if errors.Is(tctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			// It returned, but past its time: as if it had not.
			discard(a.res)
			return exec.Result{}, &TimeoutError{Timeout: n.Opts.Timeout}
		}
		return a.res, a.err
	case <-tctx.Done():
		if ctx.Err() != nil {
			return exec.Result{}, ctx.Err()
		}
		r.s.goBackground(func() { discard((<-done).res) })
		return exec.Result{}, &TimeoutError{Timeout: n.Opts.Timeout}
	}
}

// discard frees a result nobody will use.
func discard(res exec.Result) {
	if rem, ok := res.Chunk.(exec.Remote); ok {
		_ = rem.Release(context.Background())
	}
}

// TimeoutError is the error of an attempt that ran past Options.Timeout.
type TimeoutError struct{ Timeout time.Duration }

func (e *TimeoutError) Error() string {
	return "timed out after " + e.Timeout.String() + " (Options.Timeout)"
}

// Is makes a timeout match context.DeadlineExceeded.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

func (r *run) fail(ctx context.Context, i int32, w int, worker string, attempt int, took time.Duration, err error) error {
	n := r.g.nodes[i]
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return err // cancellation, not a failure of the thunk
	}
	fe := r.s.cfg.Failure(n, attempt, err)
	r.failed.Add(1)
	if l := r.s.cfg.FailureLogger; l != nil {
		l.LogAttrs(ctx, slog.LevelError, "cairn: thunk failed", slog.Uint64("run", r.id), slog.String("thunk", n.Name()),
			slog.Uint64("id", n.ID), slog.Int("attempt", attempt), slog.Any("err", err))
	}
	if r.events {
		e := r.nodeEvent(Failed, i)
		e.Slot, e.Worker, e.Attempt, e.Duration, e.Err = w, worker, attempt, took, fe
		r.s.cfg.Sink(e)
	}
	return fe
}

// retry decides whether a failed attempt is run again, and after how long.
func (r *run) retry(ctx context.Context, n *Node, attempt int, err error) (time.Duration, bool) {
	o := n.Opts
	if o == nil || attempt > o.Retries || ctx.Err() != nil {
		return 0, false
	}
	if o.RetryIf != nil {
		if !o.RetryIf(err) {
			return 0, false
		}
	} else if !errors.Is(err, ErrRetryable) {
		return 0, false
	}
	d := o.Backoff
	if d <= 0 {
		d = 100 * time.Millisecond
	}
	for k := 1; k < attempt && d < time.Minute; k++ {
		d *= 2
	}
	return min(d, time.Minute), true
}

// IsNothing reports whether a restore error means "nothing to restore":
// it matches ErrNoCheckpoint or fs.ErrNotExist.
func IsNothing(err error) bool {
	return errors.Is(err, ErrNoCheckpoint) || errors.Is(err, fs.ErrNotExist)
}

func (r *run) logWarn(ctx context.Context, msg string, i int32, err error) {
	n := r.g.nodes[i]
	r.s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, msg, slog.Uint64("run", r.id),
		slog.String("thunk", n.Name()), slog.Uint64("id", n.ID), slog.String("key", r.key(i)),
		slog.Any("err", err))
}
