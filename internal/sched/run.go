package sched

import (
	"context"
	"fmt"
	"time"
)

// Run is one execution of a Spec on an Engine.
type Run struct {
	e     *Engine
	ctx   context.Context
	spec  *Spec
	hooks Hooks

	consStart []int32 // consumers, compressed-row form
	cons      []int32
	state     []State
	wait      []int32 // unfinished dependencies of Waiting nodes
	refs      []int32 // consumers that may still read the value
	released  []bool  // Done or Restored, and its value released
	target    []bool

	wantScheduled bool
	queued        int // nodes in the engine's queue
	running       int // nodes executing
	restoring     int // restores asked, not answered
	retrying      int // nodes waiting out a retry delay
	remaining     int // targets not yet done or restored

	stopped    bool // start no new work
	finished   bool
	err        error // first failure, or the cancellation cause
	failedNode int32
	done       chan struct{}
	stopCancel func() bool
	timers     map[int32]*time.Timer // nodes waiting out a retry delay
}

// Quiet is an optional interface: Hooks that implement it and return true
// are not told about queued nodes, which saves work on the hot path.
type Quiet interface{ QuietScheduling() bool }

func newRun(e *Engine, ctx context.Context, spec *Spec, hooks Hooks) *Run {
	n := spec.N
	r := &Run{
		e: e, ctx: ctx, spec: spec, hooks: hooks,
		state:      make([]State, n),
		wait:       make([]int32, n),
		refs:       make([]int32, n),
		released:   make([]bool, n),
		target:     make([]bool, n),
		done:       make(chan struct{}),
		failedNode: -1,
	}
	if q, ok := hooks.(Quiet); !ok || !q.QuietScheduling() {
		r.wantScheduled = true
	}
	// Consumers in compressed-row form: count, prefix-sum, fill.
	r.consStart = make([]int32, n+1)
	for _, d := range spec.Deps {
		r.consStart[d+1]++
	}
	for i := int32(0); i < n; i++ {
		r.refs[i] = r.consStart[i+1]
		r.consStart[i+1] += r.consStart[i]
	}
	r.cons = make([]int32, len(spec.Deps))
	fill := make([]int32, n)
	copy(fill, r.consStart[:n])
	for i := int32(0); i < n; i++ {
		for _, d := range spec.Deps[spec.DepStart[i]:spec.DepStart[i+1]] {
			r.cons[fill[d]] = i
			fill[d]++
		}
	}
	for _, t := range spec.Targets {
		if !r.target[t] {
			r.target[t] = true
			r.remaining++
			r.refs[t]++ // the caller reads targets: never released
		}
	}
	return r
}

func (r *Run) deps(i int32) []int32 { return r.spec.Deps[r.spec.DepStart[i]:r.spec.DepStart[i+1]] }

func (r *Run) consumers(i int32) []int32 { return r.cons[r.consStart[i]:r.consStart[i+1]] }

// Wait blocks until the run has finished and returns its error: nil when
// every target was computed or restored; the first node failure otherwise
// (see FailedNode); or the context's cause if the run was cancelled.
func (r *Run) Wait() error {
	<-r.done
	return r.err
}

// Done is closed when the run has finished.
func (r *Run) Done() <-chan struct{} { return r.done }

// FailedNode reports the node whose failure failed the run, or -1.
// It is valid after Done is closed.
func (r *Run) FailedNode() int32 { return r.failedNode }

// State reports node i's state. After Done is closed it is final.
func (r *Run) State(i int32) State {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	return r.state[i]
}

// States returns a copy of every node's state.
func (r *Run) States() []State {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	return append([]State(nil), r.state...)
}

// RestoreDone answers Hooks.Restore for node i: hit means the node's value
// is now available and it must not run; a miss demands its dependencies so
// it can run. A non-nil err fails the node instead (it is not run).
func (r *Run) RestoreDone(i int32, hit bool, err error) {
	var b batch
	e := r.e
	e.mu.Lock()
	if r.state[i] != Restoring {
		e.mu.Unlock()
		panic(fmt.Sprintf("sched: RestoreDone for node %d in state %v", i, r.state[i]))
	}
	r.restoring--
	switch {
	case r.finished:
		r.state[i] = Skipped
	case err != nil:
		r.failLocked(i, err, &b)
	case hit:
		r.succeedLocked(i, Restored, &b)
		// A restored node needs none of its dependencies.
		for _, d := range r.deps(i) {
			r.unrefLocked(d)
		}
	case r.stopped:
		r.state[i] = Skipped
	default:
		r.toWaitingLocked(i, &b)
	}
	r.finishIfIdleLocked()
	e.wakeLocked(len(b.queued))
	e.mu.Unlock()
	b.dispatch()
}

// demandLocked marks node i (and, transitively, whatever it needs) as
// demanded. It uses an explicit work list: chains may be a million deep.
func (r *Run) demandLocked(i int32, b *batch) {
	if r.state[i] != Unneeded || r.stopped {
		return
	}
	if r.spec.Restorable != nil && r.spec.Restorable[i] {
		r.state[i] = Restoring
		r.restoring++
		b.restores = append(b.restores, ref{r, i})
		return
	}
	r.toWaitingLocked(i, b)
}

// toWaitingLocked makes node i wait for its dependencies, demanding each.
func (r *Run) toWaitingLocked(start int32, b *batch) {
	// A node is marked Waiting as it is put on the stack, so that a second
	// consumer of it counts it as pending instead of demanding it again.
	r.state[start] = Waiting
	stack := []int32{start}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		var n int32
		blocked := false
		for _, d := range r.deps(i) {
			if r.released[d] {
				// Its value was let go (a node re-run after a loss needs it
				// again): make it again, as if never demanded.
				r.resetLocked(d)
			}
			switch r.state[d] {
			case Done, Restored:
			case Failed, Skipped:
				blocked = true
			case Unneeded:
				n++
				if r.spec.Restorable != nil && r.spec.Restorable[d] {
					r.state[d] = Restoring
					r.restoring++
					b.restores = append(b.restores, ref{r, d})
				} else {
					r.state[d] = Waiting
					stack = append(stack, d)
				}
			default:
				n++
			}
		}
		r.wait[i] = n
		if blocked {
			r.skipLocked(i)
			continue
		}
		if n == 0 {
			r.e.pushLocked(r, i, b, false)
		}
	}
}

// succeedLocked records that node i has its value (computed or restored)
// and readies the consumers waiting only for it.
func (r *Run) succeedLocked(i int32, s State, b *batch) {
	r.state[i] = s
	if r.target[i] {
		r.remaining--
	}
	for _, c := range r.consumers(i) {
		if r.state[c] == Waiting {
			r.wait[c]--
			if r.wait[c] == 0 && !r.stopped {
				r.e.pushLocked(r, c, b, true)
			}
		}
	}
	if s == Done {
		for _, d := range r.deps(i) {
			r.unrefLocked(d)
		}
	}
}

func (r *Run) unrefLocked(d int32) {
	r.refs[d]--
	if r.refs[d] == 0 && (r.state[d] == Done || r.state[d] == Restored) {
		r.released[d] = true
		r.hooks.Release(d)
	}
}

// resetLocked forgets that node d, Done or Restored, has a value: its value
// was lost or released and is needed again. It is left Unneeded, for the
// caller to demand; its dependencies are referenced again (it will consume
// them, or be restored and let them go), and consumers waiting for their
// other inputs wait for it too.
func (r *Run) resetLocked(d int32) {
	r.state[d] = Unneeded
	r.released[d] = false
	if r.target[d] {
		r.remaining++
	}
	for _, dd := range r.deps(d) {
		r.refs[dd]++
	}
	for _, c := range r.consumers(d) {
		if r.state[c] == Waiting {
			r.wait[c]++
		}
	}
}

// requeueLocked puts node i, which was lost while running, back to wait
// for the dependencies in lost (whose values are gone) to be made again,
// and then to run again.
func (r *Run) requeueLocked(i int32, lost []int32, b *batch) {
	if r.stopped {
		r.state[i] = Skipped
		return
	}
	for _, d := range lost {
		if d < 0 || d >= r.spec.N {
			continue
		}
		if s := r.state[d]; s == Done || s == Restored {
			if !r.released[d] {
				r.hooks.Release(d) // its value is gone: let the hooks forget it
			}
			r.resetLocked(d)
			r.demandLocked(d, b)
		}
	}
	var n int32
	blocked := false
	for _, d := range r.deps(i) {
		switch r.state[d] {
		case Done, Restored:
		case Failed, Skipped:
			blocked = true
		default:
			n++
		}
	}
	r.state[i] = Waiting
	r.wait[i] = n
	if blocked {
		r.skipLocked(i)
		return
	}
	if n == 0 {
		r.e.pushLocked(r, i, b, false)
	}
}

// failLocked records that node i failed and skips what depends on it.
func (r *Run) failLocked(i int32, err error, b *batch) {
	r.state[i] = Failed
	if r.err == nil {
		r.err = err
		r.failedNode = i
	}
	if !r.spec.KeepGoing {
		r.stopLocked(nil)
	}
	r.skipLocked(i)
}

// skipLocked marks every waiting consumer of i, transitively, as skipped.
func (r *Run) skipLocked(i int32) {
	stack := []int32{i}
	if r.state[i] == Waiting {
		r.state[i] = Skipped
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range r.consumers(n) {
			if r.state[c] == Waiting {
				r.state[c] = Skipped
				stack = append(stack, c)
			}
		}
	}
}

// stopLocked stops the run from starting new work. A non-nil err becomes
// the run's error if it has none yet.
func (r *Run) stopLocked(err error) {
	r.stopped = true
	for i, t := range r.timers {
		if t.Stop() { // its callback will not run: skip the node now
			delete(r.timers, i)
			r.retrying--
			r.state[i] = Skipped
		}
	}
	if err != nil && r.err == nil {
		r.err = err
	}
}

func (r *Run) retryLater(i int32, d time.Duration) {
	r.retrying++
	r.state[i] = Waiting
	if r.timers == nil {
		r.timers = make(map[int32]*time.Timer)
	}
	r.timers[i] = time.AfterFunc(d, func() {
		var b batch
		r.e.mu.Lock()
		delete(r.timers, i)
		r.retrying--
		if r.stopped || r.finished {
			r.state[i] = Skipped
		} else {
			r.e.pushLocked(r, i, &b, false)
			r.e.wakeLocked(len(b.queued))
		}
		r.finishIfIdleLocked()
		r.e.mu.Unlock()
		b.dispatch()
	})
}

// finishIfIdleLocked finishes the run when it can make no more progress.
func (r *Run) finishIfIdleLocked() {
	if r.finished {
		return
	}
	if r.remaining == 0 && r.err == nil {
		// Every target is available. Anything still queued or restoring
		// is not needed any more.
		r.stopped = true
		if r.running == 0 && r.restoring == 0 && r.queued == 0 && r.retrying == 0 {
			r.finishLocked()
		}
		return
	}
	// A stopped run does not wait for restores (a spawned input may take
	// long): they are answered later and ignored.
	if r.running > 0 || r.queued > 0 || r.retrying > 0 || (r.restoring > 0 && !r.stopped) {
		return
	}
	if r.err == nil {
		r.err = fmt.Errorf("sched: run stalled with %d targets unfinished (cyclic graph?)", r.remaining)
	}
	r.finishLocked()
}

func (r *Run) finishLocked() {
	if r.finished {
		return
	}
	r.finished = true
	r.stopped = true
	delete(r.e.runs, r)
	if r.stopCancel != nil {
		r.stopCancel()
	}
	close(r.done)
}

// cancel stops the run at once with cause: Wait returns promptly. A
// failure the run already had stays its error.
func (r *Run) cancel(cause error) {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	if r.finished {
		return
	}
	r.stopLocked(cause)
	r.finishLocked()
}
