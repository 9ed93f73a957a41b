package progress

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/cairnlabs/cairn"
)

// run is the bar of one run; its counters are written by OnEvent and read
// by the drawing goroutine.
type run struct {
	label string // "run 3 name"
	id    uint64
	name  string
	total int64
	start time.Time
	bar   *mpb.Bar

	done, running, restored, failed, pruned, skipped, checkpointed atomic.Int64
	finished                                                       atomic.Bool
	took                                                           atomic.Int64 // duration once finished
	failedRun                                                      atomic.Bool

	// started holds the thunks running (by ID), so that an end without a
	// start (a thunk lost before it ran) does not miscount them.
	started sync.Map
	// workers holds the names of the workers the run's events named (a
	// cluster executor's; none with the local one), nworkers counts them.
	workers  sync.Map
	nworkers atomic.Int64
	lost     atomic.Int64 // executions lost with their worker
	// counted says for each thunk of the run (at its ID - lo) which
	// counter counts it: the latest of its final states, so that a thunk
	// made or restored again after its value was lost with a worker counts
	// once. Nil when the run's thunk IDs are too scattered for a table
	// (thunks made at different times): then each event counts.
	counted []atomic.Int32
	lo      uint64
}

// The counters a thunk's final state puts it in (run.counted).
const (
	inNone int32 = iota
	inDone
	inRestored
	inPruned
	inFailed
	inSkipped
)

// counter returns the counter of final state c.
func (r *run) counter(c int32) *atomic.Int64 {
	switch c {
	case inDone:
		return &r.done
	case inRestored:
		return &r.restored
	case inPruned:
		return &r.pruned
	case inFailed:
		return &r.failed
	}
	return &r.skipped
}

// index sets up counted for the run's thunks, if their IDs are dense
// enough: within 4 times their number.
func (r *run) index(thunks []*cairn.Thunk) {
	lo, hi := ^uint64(0), uint64(0)
	for _, t := range thunks {
		if t != nil {
			lo, hi = min(lo, t.ID()), max(hi, t.ID())
		}
	}
	if lo > hi || hi-lo >= 4*uint64(len(thunks))+64 {
		return
	}
	r.lo, r.counted = lo, make([]atomic.Int32, hi-lo+1)
}

// settle counts thunk id in the counter of final state c, and no longer
// in the one that counted it before.
func (r *run) settle(id uint64, c int32) {
	if i := id - r.lo; id >= r.lo && i < uint64(len(r.counted)) {
		old := r.counted[i].Swap(c)
		if old == c {
			return
		}
		if old != inNone {
			r.counter(old).Add(-1)
		}
	}
	r.counter(c).Add(1)
}

// start counts thunk id as running.
func (r *run) startThunk(id uint64) {
	if _, loaded := r.started.LoadOrStore(id, struct{}{}); !loaded {
		r.running.Add(1)
	}
}

// end counts thunk id as no longer running, if it was.
func (r *run) endThunk(id uint64) {
	if _, ok := r.started.LoadAndDelete(id); ok {
		r.running.Add(-1)
	}
}

// sawWorker counts the named worker, the first time.
func (r *run) sawWorker(name string) {
	if name == "" {
		return
	}
	if _, loaded := r.workers.LoadOrStore(name, struct{}{}); !loaded {
		r.nworkers.Add(1)
	}
}

// completed counts thunks that have nothing left to do.
func (r *run) completed() int64 {
	return r.done.Load() + r.restored.Load() + r.failed.Load() + r.pruned.Load() + r.skipped.Load()
}

// counters is "completed/total", from the live counts: the bar itself
// moves at each redraw.
func (r *run) counters(decor.Statistics) string {
	return fmt.Sprintf("%d/%d", min(r.completed(), r.total), r.total)
}

// describe is the text after the bar.
func (r *run) describe(decor.Statistics) string {
	var parts []string
	add := func(n int64, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	done := r.done.Load()
	parts = append(parts, fmt.Sprintf("%d done", done))
	add(r.running.Load(), "running")
	add(r.restored.Load(), "restored")
	add(r.pruned.Load(), "pruned")
	add(r.failed.Load(), "failed")
	add(r.skipped.Load(), "skipped")
	if n := r.nworkers.Load(); n == 1 {
		parts = append(parts, "1 worker")
	} else {
		add(n, "workers")
	}
	add(r.lost.Load(), "lost")
	if r.finished.Load() {
		took := time.Duration(r.took.Load())
		verb := "finished"
		if r.failedRun.Load() {
			verb = "failed"
		}
		return strings.Join(parts, " · ") + fmt.Sprintf(" · %s in %s", verb, round(took))
	}
	el := time.Since(r.start)
	c := r.completed()
	if c > 0 && el > 0 {
		rate := float64(c) / el.Seconds()
		eta := time.Duration(float64(r.total-c) / rate * float64(time.Second))
		parts = append(parts, fmt.Sprintf("%.1f/s", rate), "ETA "+round(eta))
	} else {
		parts = append(parts, "ETA —")
	}
	return strings.Join(parts, " · ")
}

// line is the run's state as one plain line.
func (r *run) line() string {
	return fmt.Sprintf("%s %d/%d %s", r.label, min(r.completed(), r.total), r.total, r.describe(decor.Statistics{}))
}

// round shortens a duration for display: 1.2s, 340ms, 2m5s.
func round(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}
