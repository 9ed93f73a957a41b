package runner

import (
	"time"

	"github.com/cairnlabs/cairn/internal/sched"
)

// Kind says what an Event reports. The values are those of cairn.EventKind.
type Kind uint8

// The kinds of events, in cairn.EventKind's order.
const (
	RunStarted Kind = iota + 1
	RunFinished
	Scheduled
	Started
	Finished
	Failed
	Retrying
	Skipped
	Pruned
	Restored
	RestoreMissed
	RestoreFailed
	Checkpointed
	CheckpointFailed
	Lost
)

// Event is one thing that happened in a run; package cairn turns it into a
// cairn.Event for listeners.
type Event struct {
	Kind     Kind
	Time     time.Time
	Run      uint64
	RunName  string
	Node     *Node // nil for run events and the final result's events
	Slot     int
	Worker   string
	Duration time.Duration
	Bytes    int64
	Attempt  int
	Err      error
	Nodes    []*Node // RunStarted only
	Stats    *Stats  // RunFinished only
}

// Stats counts what a run did; the fields are those of cairn.RunStats.
type Stats struct {
	Thunks            int
	Computed          int
	Restored          int
	Pruned            int
	Failed            int
	Skipped           int
	Checkpointed      int
	CheckpointFailed  int
	RestoreFailed     int
	Lost              int
	Recomputed        int
	BytesWritten      int64
	BytesRead         int64
	FinalRestored     bool
	FinalCheckpointed bool
	Duration          time.Duration
}

func (r *run) emit(e *Event) {
	e.Run, e.RunName = r.id, r.name
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	r.s.cfg.Sink(e)
}

// nodeEvent reports k about node i.
func (r *run) nodeEvent(k Kind, i int32) *Event {
	return &Event{Kind: k, Time: time.Now(), Run: r.id, RunName: r.name, Node: r.g.nodes[i]}
}

// stats sums up the run, and reports pruned and skipped nodes to listeners.
func (r *run) stats(d time.Duration) *Stats {
	st := &Stats{
		Thunks: len(r.g.nodes), Computed: int(r.computed.Load()), Restored: int(r.restored.Load()),
		Failed: int(r.failed.Load()), Checkpointed: int(r.checkpointed.Load()),
		CheckpointFailed: int(r.ckptFailed.Load()), RestoreFailed: int(r.rstFailed.Load()),
		Lost: int(r.lost.Load()), Recomputed: int(r.recomputed.Load()),
		BytesWritten: r.bytesWritten.Load(), BytesRead: r.bytesRead.Load(), Duration: d,
	}
	for i, s := range r.sr.States() {
		var k Kind
		switch s {
		case sched.Unneeded:
			st.Pruned++
			k = Pruned
		case sched.Skipped, sched.Waiting, sched.Queued, sched.Restoring:
			st.Skipped++
			k = Skipped
		default:
			continue
		}
		if r.events {
			r.s.cfg.Sink(r.nodeEvent(k, int32(i)))
		}
	}
	return st
}
