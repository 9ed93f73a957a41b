package sched

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// ErrClosed is the error of runs still active when their Engine is closed.
var ErrClosed = errors.New("sched: engine closed")

// Engine owns a set of worker slots shared by all of its runs; SetSlots
// changes their number. Its methods are safe for concurrent use.
type Engine struct {
	mu      sync.Mutex
	cond    sync.Cond
	queue   readyQueue
	seq     uint64
	idle    int
	closed  bool
	runs    map[*Run]struct{}
	workers sync.WaitGroup
	slots   int    // wanted
	inUse   []bool // inUse[w]: a worker goroutine holds slot w
	live    int    // worker goroutines
}

// NewEngine starts an engine with the given number of worker slots (at
// least one).
func NewEngine(slots int) *Engine {
	e := &Engine{runs: make(map[*Run]struct{})}
	e.cond.L = &e.mu
	e.SetSlots(slots)
	return e
}

// Slots reports the number of worker slots.
func (e *Engine) Slots() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.slots
}

// SetSlots changes the number of worker slots (at least one): new slots
// start taking work at once; when there are fewer, workers above the new
// number stop once their current node is done. Slot numbers are reused,
// lowest first.
func (e *Engine) SetSlots(n int) {
	if n < 1 {
		n = 1
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	e.slots = n
	for e.live < n {
		w := slices.Index(e.inUse, false)
		if w < 0 {
			w = len(e.inUse)
			e.inUse = append(e.inUse, false)
		}
		e.inUse[w] = true
		e.live++
		e.workers.Add(1)
		go e.worker(w)
	}
	if e.live > n {
		e.cond.Broadcast() // the idle ones above n stop
	}
}

// surplusLocked reports whether worker w should stop: there are more
// workers than slots and w is among the highest.
func (e *Engine) surplusLocked(w int) bool {
	if e.live <= e.slots {
		return false
	}
	above := 0 // workers with a higher slot number
	for v := w + 1; v < len(e.inUse); v++ {
		if e.inUse[v] {
			above++
		}
	}
	return above < e.live-e.slots
}

// Close stops every active run with ErrClosed, waits for executing nodes to
// return, and stops the workers. It is safe to call more than once.
func (e *Engine) Close() {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.closed = true
	for r := range e.runs {
		r.stopLocked(ErrClosed)
		r.finishLocked()
	}
	e.cond.Broadcast()
	e.mu.Unlock()
	e.workers.Wait()
}

// Start begins a run of spec. Cancelling ctx stops the run: Wait returns
// ctx's error promptly, and nodes that are executing finish in the
// background with their results discarded.
func (e *Engine) Start(ctx context.Context, spec *Spec, hooks Hooks) (*Run, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	r := newRun(e, ctx, spec, hooks)
	var b batch
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	e.runs[r] = struct{}{}
	if ctx.Done() != nil {
		// Registered under the lock: finishLocked reads stopCancel. If ctx
		// is already done, the callback waits for the lock.
		r.stopCancel = context.AfterFunc(ctx, func() { r.cancel(context.Cause(ctx)) })
	}
	for _, t := range spec.Targets {
		r.demandLocked(t, &b)
	}
	r.finishIfIdleLocked()
	e.wakeLocked(len(b.queued))
	e.mu.Unlock()
	b.dispatch()
	return r, nil
}

// wakeLocked wakes up to n idle workers.
func (e *Engine) wakeLocked(n int) {
	if n > e.idle {
		n = e.idle
	}
	for ; n > 0; n-- {
		e.cond.Signal()
	}
}

// pushLocked queues node i. A node made ready by a dependency that just
// finished is hot: among nodes of priority 0 it goes first (depth first),
// so that the value it consumes is released soon after it is made.
func (e *Engine) pushLocked(r *Run, i int32, b *batch, hot bool) {
	e.seq++
	var prio int32
	if r.spec.Priority != nil {
		prio = r.spec.Priority[i]
	}
	e.queue.push(item{run: r, node: i, prio: prio, seq: e.seq, hot: hot})
	r.state[i] = Queued
	r.queued++
	if r.wantScheduled {
		b.queued = append(b.queued, ref{r, i})
	} else {
		b.queued = append(b.queued, ref{})
	}
}

// worker is one slot's loop: pop, execute, complete, repeat.
func (e *Engine) worker(w int) {
	defer e.workers.Done()
	var b batch
	e.mu.Lock()
	for {
		for e.queue.len() == 0 && !e.closed && !e.surplusLocked(w) {
			e.idle++
			e.cond.Wait()
			e.idle--
		}
		if e.closed {
			e.mu.Unlock()
			return
		}
		if e.surplusLocked(w) {
			e.inUse[w] = false
			e.live--
			if e.queue.len() > 0 {
				// This worker was to take a queued node itself (see
				// wakeLocked below): hand it to an idle one.
				e.wakeLocked(1)
			}
			e.mu.Unlock()
			return
		}
		it := e.queue.pop()
		r := it.run
		r.queued--
		if r.stopped {
			r.state[it.node] = Skipped
			r.finishIfIdleLocked()
			continue
		}
		r.state[it.node] = Running
		r.running++
		e.mu.Unlock()

		out := r.hooks.Execute(r.ctx, it.node, w)

		e.mu.Lock()
		r.running--
		switch {
		case r.finished:
			// Cancelled or closed while running: the result is discarded.
		case out.Lost:
			r.requeueLocked(it.node, out.LostDeps, &b)
		case out.Retry > 0:
			r.retryLater(it.node, out.Retry)
		case out.Err != nil:
			r.failLocked(it.node, out.Err, &b)
		default:
			r.succeedLocked(it.node, Done, &b)
		}
		r.finishIfIdleLocked()
		// This worker takes one of the newly queued nodes itself.
		e.wakeLocked(len(b.queued) - 1)
		if b.pending() {
			e.mu.Unlock()
			b.dispatch()
			e.mu.Lock()
		}
	}
}

// ref names a node of a run.
type ref struct {
	run  *Run
	node int32
}

// batch collects hook calls decided under the lock, to be made after it is
// released.
type batch struct {
	queued   []ref // nodes queued (zero refs when not reported)
	restores []ref
}

func (b *batch) pending() bool {
	if len(b.restores) > 0 {
		return true
	}
	for _, q := range b.queued {
		if q.run != nil {
			return true
		}
	}
	b.queued = b.queued[:0]
	return false
}

func (b *batch) dispatch() {
	for len(b.queued) > 0 || len(b.restores) > 0 {
		q, rs := b.queued, b.restores
		b.queued, b.restores = nil, nil
		for _, x := range q {
			if x.run != nil {
				x.run.hooks.Scheduled(x.node)
			}
		}
		for _, x := range rs {
			x.run.hooks.Restore(x.run.ctx, x.run, x.node)
		}
		if len(b.queued) == 0 && len(b.restores) == 0 {
			b.queued, b.restores = q[:0], rs[:0]
		}
	}
}
