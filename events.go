package cairn

import (
	"fmt"
	"time"
)

// EventKind says what an Event reports.
type EventKind uint8

// The kinds of events. Thunk events carry the thunk; run events do not.
const (
	RunStarted        EventKind = iota + 1 // a Compute, Collect or Spawn began; Thunks holds its graph
	RunFinished                            // it ended; Stats and Err tell how
	ThunkScheduled                         // ready to run and queued
	ThunkStarted                           // began running in slot Worker
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
)

var kindNames = [...]string{"", "run-started", "run-finished", "scheduled", "started", "finished", "failed",
	"retrying", "skipped", "pruned", "restored", "restore-missed", "restore-failed", "checkpointed", "checkpoint-failed"}

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
	// Worker is the executor slot of ThunkStarted, ThunkFinished and
	// ThunkFailed.
	Worker int
	// Duration: run time (finished, failed), wait before retry (retrying),
	// I/O time (restored, checkpointed), whole run (run finished).
	Duration time.Duration
	// Bytes read (restored) or written (checkpointed), when known.
	Bytes int64
	// Attempt counts runs of the thunk from 1.
	Attempt int
	// Err is the error of failed, retrying, restore-failed,
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
	Computed         int // ran and succeeded
	Restored         int // restored instead of run
	Pruned           int // neither run nor restored: not needed
	Failed           int
	Skipped          int // not run because a dependency failed or the run stopped
	Checkpointed     int
	CheckpointFailed int
	RestoreFailed    int
	BytesWritten     int64
	BytesRead        int64
	// FinalRestored is true when RunOptions.Restore gave the result and
	// the graph was not looked at.
	FinalRestored bool
	Duration      time.Duration
}

// Listener receives a scheduler's events. See Event for the rules.
type Listener interface {
	OnEvent(Event)
}

// ListenerFunc adapts a function to a Listener.
type ListenerFunc func(Event)

// OnEvent calls f(e).
func (f ListenerFunc) OnEvent(e Event) { f(e) }
