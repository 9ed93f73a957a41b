package cairn

import (
	"fmt"
	"time"

	"github.com/cairnlabs/cairn/internal/runner"
)

// EventKind says what an Event reports.
type EventKind uint8

// The kinds of events. Thunk events carry the thunk; run events do not.
const (
	RunStarted        EventKind = iota + 1 // a Compute, Collect or Spawn began; Thunks holds its graph
	RunFinished                            // it ended; Stats and Err tell how
	ThunkScheduled                         // ready to run and queued
	ThunkStarted                           // began running in Slot
	ThunkFinished                          // ran and succeeded; Duration is its run time
	ThunkFailed                            // ran and failed; Err is a *ThunkFailedError
	ThunkRetrying                          // failed with a retryable error; runs again after Duration
	ThunkSkipped                           // not run: a dependency failed or the run stopped
	ThunkPruned                            // not needed: every consumer was restored
	ThunkRestored                          // its value was restored; Bytes read if known
	RestoreMissed                          // nothing to restore; it will run
	RestoreFailed                          // restoring failed (Err); it will run
	ThunkCheckpointed                      // its value was checkpointed; Bytes written if known
	CheckpointFailed                       // checkpointing failed (Err)
	ThunkLost                              // lost with its worker, or its inputs were (Err); it runs again
)

var kindNames = [...]string{"", "run-started", "run-finished", "scheduled", "started", "finished", "failed",
	"retrying", "skipped", "pruned", "restored", "restore-missed", "restore-failed", "checkpointed",
	"checkpoint-failed", "lost"}

func (k EventKind) String() string {
	if int(k) < len(kindNames) && k > 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", k)
}

// Event is one thing that happened during a run. Listeners receive events
// synchronously, from the scheduler's goroutines; they must be quick, safe
// for concurrent use, and must not call back into the Scheduler.
type Event struct {
	Kind EventKind
	Time time.Time
	// Run numbers the Compute, Collect or Spawn call within the Scheduler.
	Run uint64
	// RunName is RunOptions.Name.
	RunName string
	// Thunk is the thunk the event is about (nil for run events, and for
	// the final-result checkpoint events of a run).
	Thunk *Thunk
	// Slot is the scheduler slot of ThunkStarted, ThunkFinished,
	// ThunkFailed, ThunkRetrying and ThunkLost.
	Slot int
	// Worker names the process where the thunk ran or was restored, with
	// a cluster executor ("" for this process).
	Worker string
	// Duration: run time (finished, failed), wait before retry (retrying),
	// I/O time (restored, checkpointed), whole run (run finished).
	Duration time.Duration
	// Bytes read (restored), written (checkpointed), or of the result
	// (finished, where the executor knows it).
	Bytes int64
	// Attempt counts runs of the thunk from 1.
	Attempt int
	// Err is the error of failed, retrying, lost, restore-failed,
	// checkpoint-failed and run-finished events.
	Err error
	// Thunks is the run's graph, dependencies before consumers
	// (RunStarted only).
	Thunks []*Thunk
	// Stats sums up the run (RunFinished only).
	Stats *RunStats
}

// RunStats counts what a run did.
type RunStats struct {
	Thunks           int // in the graph
	Computed         int // ran and succeeded (a thunk run again after a loss counts again)
	Restored         int // restored instead of run
	Pruned           int // neither run nor restored: not needed
	Failed           int
	Skipped          int // not run because a dependency failed or the run stopped
	Checkpointed     int
	CheckpointFailed int
	RestoreFailed    int
	Lost             int // executions lost with their worker (run again)
	Recomputed       int // thunks computed again because their value was lost
	BytesWritten     int64
	BytesRead        int64
	// FinalRestored is true when RunOptions.Restore gave the result and
	// the graph was not looked at; FinalCheckpointed when
	// RunOptions.Checkpoint wrote the result.
	FinalRestored     bool
	FinalCheckpointed bool
	Duration          time.Duration
}

// Listener receives a scheduler's events. See Event for the rules.
type Listener interface {
	OnEvent(Event)
}

// ListenerFunc adapts a function to a Listener.
type ListenerFunc func(Event)

// OnEvent calls f(e).
func (f ListenerFunc) OnEvent(e Event) { f(e) }

// sink turns the runner's events into Events for the listeners.
func (s *Scheduler) sink(e *runner.Event) {
	ev := Event{Kind: EventKind(e.Kind), Time: e.Time, Run: e.Run, RunName: e.RunName, Slot: e.Slot,
		Worker: e.Worker, Duration: e.Duration, Bytes: e.Bytes, Attempt: e.Attempt, Err: e.Err}
	if e.Node != nil {
		ev.Thunk = thunkOf(e.Node)
	}
	if e.Nodes != nil {
		ev.Thunks = make([]*Thunk, len(e.Nodes))
		for i, n := range e.Nodes {
			ev.Thunks[i] = thunkOf(n)
		}
	}
	if e.Stats != nil {
		st := RunStats(*e.Stats)
		ev.Stats = &st
	}
	for _, l := range s.listeners {
		l.OnEvent(ev)
	}
}
