package dash

import (
	"fmt"

	"github.com/cairnlabs/cairn"
)

// State is where a thunk stands in a run, as the dashboard and the graph
// exports show it.
type State uint8

// The states of a thunk. A thunk starts Pending and ends Done,
// Checkpointed, Restored, Pruned, Skipped or Failed.
const (
	Pending      State = iota // waiting for its inputs (or for a restore)
	Queued                    // ready, waiting for a worker slot
	Running                   // running in a worker slot
	Retrying                  // failed with a retryable error; runs again after a backoff
	Done                      // ran and succeeded
	Checkpointed              // ran, succeeded, and its value was checkpointed
	Restored                  // its value was restored: it did not run
	Pruned                    // not needed: every consumer was restored
	Skipped                   // not run: an input failed or the run stopped
	Failed                    // ran and failed
	numStates
)

var stateNames = [numStates]string{"pending", "queued", "running", "retrying", "done",
	"checkpointed", "restored", "pruned", "skipped", "failed"}

// stateColors are the fill colours of the states, shared by the web page
// and the exports.
var stateColors = [numStates]string{"#d5dae1", "#a9cbf5", "#f5a623", "#f7d154", "#7fc97f",
	"#2e8b57", "#8e6bd8", "#f1f3f5", "#a6adb4", "#e05252"}

// String returns the state's lower-case name, as used in the exports and
// the web page.
func (s State) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", s)
}

// Color returns the state's fill colour as "#rrggbb".
func (s State) Color() string {
	if s < numStates {
		return stateColors[s]
	}
	return "#ffffff"
}

// final reports whether a thunk in state s has nothing left to do in its
// run.
func (s State) final() bool { return s >= Done && s < numStates }

// after returns the state of a thunk in state s once an event of kind k
// about it has happened. Kinds that do not move a thunk (a missed or failed
// restore, a failed checkpoint, run events) leave s as it is, and so does a
// checkpoint of a thunk that is not Done.
//
// ThunkScheduled moves only a Pending or Retrying thunk: it may reach a
// listener after the thunk has started, or even finished, on another
// goroutine. With a cluster executor a thunk lost with its worker
// (cairn.ThunkLost) goes back to Pending, to wait for its inputs and a
// slot; one made again because its value was lost stays Done (or
// Restored, or Pruned) until it starts again.
func (s State) after(k cairn.EventKind) State {
	switch k {
	case cairn.ThunkScheduled:
		if s == Pending || s == Retrying {
			return Queued
		}
	case cairn.ThunkLost:
		if s == Running || s == Queued {
			return Pending
		}
	case cairn.ThunkStarted:
		return Running
	case cairn.ThunkFinished:
		return Done
	case cairn.ThunkFailed:
		return Failed
	case cairn.ThunkRetrying:
		return Retrying
	case cairn.ThunkSkipped:
		return Skipped
	case cairn.ThunkPruned:
		return Pruned
	case cairn.ThunkRestored:
		return Restored
	case cairn.ThunkCheckpointed:
		if s == Done {
			return Checkpointed
		}
	}
	return s
}
