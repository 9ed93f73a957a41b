package cluster_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cairnlabs/cairn"
)

// ledger records a run's events per thunk, to check what the run did
// with lost values: a thunk whose checkpoint was written before its value
// was lost is restored, never computed again (unless restoring it
// failed); only thunks without a checkpoint are recomputed.
type ledger struct {
	mu      sync.Mutex
	thunks  map[uint64]*thunkLog
	workers map[string]int // finished thunks by worker
	// noCkpt tells the thunks that have no checkpoint (NoCheckpoint on
	// the thunk or on its registered function).
	noCkpt  func(*cairn.Thunk) bool
	onEvent func(cairn.Event)
	trail   []string // losses and failures, for the log of a failed test
}

// thunkLog is what happened to one thunk.
type thunkLog struct {
	name         string
	noCkpt       bool
	finished     int  // times it finished
	checkpointed bool // its checkpoint was reported written
	restored     int
	restoreFail  int
	lost         int
	// recomputed: times it started again after finishing; ckptRecomputed:
	// of those, times its checkpoint had been reported written and no
	// restore of it had failed.
	recomputed, ckptRecomputed int
}

func newLedger(t *testing.T, noCkpt func(*cairn.Thunk) bool) *ledger {
	l := &ledger{thunks: map[uint64]*thunkLog{}, workers: map[string]int{}, noCkpt: noCkpt}
	t.Cleanup(func() {
		if t.Failed() {
			l.mu.Lock()
			t.Logf("losses and failures:\n%s", strings.Join(l.trail, "\n"))
			l.mu.Unlock()
		}
	})
	return l
}

// OnEvent records e; it is a cairn.Listener.
func (l *ledger) OnEvent(e cairn.Event) {
	if e.Thunk != nil {
		l.mu.Lock()
		th := l.thunks[e.Thunk.ID()]
		if th == nil {
			th = &thunkLog{name: e.Thunk.Name(), noCkpt: e.Thunk.Options().NoCheckpoint || l.noCkpt != nil && l.noCkpt(e.Thunk)}
			l.thunks[e.Thunk.ID()] = th
		}
		switch e.Kind {
		case cairn.ThunkLost, cairn.ThunkFailed, cairn.RestoreFailed, cairn.CheckpointFailed:
			l.trail = append(l.trail, fmt.Sprintf("%s %s %s#%d on %q, attempt %d: %v",
				e.Time.Format("15:04:05.000"), e.Kind, e.Thunk.Name(), e.Thunk.ID(), e.Worker, e.Attempt, e.Err))
		}
		switch e.Kind {
		case cairn.ThunkStarted:
			if th.finished > 0 {
				th.recomputed++
				if th.checkpointed && th.restoreFail == 0 {
					th.ckptRecomputed++
				}
			}
		case cairn.ThunkFinished:
			th.finished++
			l.workers[e.Worker]++
		case cairn.ThunkCheckpointed:
			th.checkpointed = true
		case cairn.ThunkRestored:
			th.restored++
		case cairn.RestoreFailed:
			th.restoreFail++
		case cairn.ThunkLost:
			th.lost++
		}
		l.mu.Unlock()
	}
	if l.onEvent != nil {
		l.onEvent(e)
	}
}

// counts sums up the ledger.
type counts struct {
	Recomputed       int // runs of thunks that had finished before
	RecomputedNoCkpt int // of those, of thunks that have no checkpoint (NoCheckpoint)
	Restored         int
	Lost             int
	Checkpointed     int // thunks whose checkpoint was written
}

func (c counts) String() string {
	return fmt.Sprintf("recomputed %d (%d of thunks with NoCheckpoint), restored %d, lost %d, checkpointed %d",
		c.Recomputed, c.RecomputedNoCkpt, c.Restored, c.Lost, c.Checkpointed)
}

func (l *ledger) counts() counts {
	l.mu.Lock()
	defer l.mu.Unlock()
	var c counts
	for _, th := range l.thunks {
		c.Recomputed += th.recomputed
		if th.noCkpt {
			c.RecomputedNoCkpt += th.recomputed
		}
		c.Restored += th.restored
		c.Lost += th.lost
		if th.checkpointed {
			c.Checkpointed++
		}
	}
	return c
}

// checkRestoredNotRecomputed fails the test for every thunk that was
// computed again although its checkpoint had been written.
func (l *ledger) checkRestoredNotRecomputed(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, th := range l.thunks {
		if th.ckptRecomputed > 0 {
			t.Errorf("thunk %s#%d was computed again %d times after its checkpoint was written (restored %d, restore failed %d): a checkpointed value must be restored",
				th.name, id, th.ckptRecomputed, th.restored, th.restoreFail)
		}
	}
}

// finishedOn reports how many thunks finished on worker w.
func (l *ledger) finishedOn(w string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.workers[w]
}

// checkRecomputedNoCkpt fails the test for every thunk with a checkpoint
// that was computed again: with checkpoints written before a thunk counts
// as done (CheckpointRequired), a lost value is restored.
func (l *ledger) checkRecomputedNoCkpt(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, th := range l.thunks {
		if !th.noCkpt && th.recomputed > 0 {
			t.Errorf("thunk %s#%d, which has a checkpoint, was computed again %d times (checkpointed %v, restored %d, restore failed %d)",
				th.name, id, th.recomputed, th.checkpointed, th.restored, th.restoreFail)
		}
	}
}
