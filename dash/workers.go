package dash

import (
	"errors"
	"math"

	"github.com/cairnlabs/cairn"
)

// Workers, as a run's events name them. With a cluster executor every
// thunk event that ran or restored something says which worker process
// did (cairn.Event.Worker); with the local executor none does, and the
// page shows no worker at all ("this process" where it must say one).
//
// What the dashboard knows of a worker comes from events only, so:
//   - a worker is seen once an event of the run names it;
//   - a worker is taken for gone when a lost execution names it (an
//     exec.LostError names the worker that was lost) and no finished task
//     or restore of it has come since, by the events' times (events come
//     from several goroutines, not always in order); one that answers
//     again is live;
//   - ThunkStarted does not say where a task will run (the executor
//     places it as it sends it), so a task is put on its worker when it
//     ends, and tasks still running on a cluster are "in flight";
//   - a worker's run time of a task is the Duration it reports, which
//     excludes the time the task waited in the worker's queue.

// maxWorkers bounds the workers a run tracks thunk by thunk (workerOf
// holds 1 + a worker's index). Workers past it are still counted.
const maxWorkers = 1<<16 - 1

// workerStats is what one worker did in a run: a row of the page's
// Workers panel.
type workerStats struct {
	Name     string  `json:"name"`
	Tasks    int     `json:"tasks"`         // executions that finished
	Failed   int     `json:"failed"`        // executions that failed (retried or not)
	Lost     int     `json:"lost"`          // executions lost with it
	Restored int     `json:"restored"`      // values restored on it
	Busy     float64 `json:"busy"`          // ms of run time it reported
	Last     float64 `json:"last"`          // ms since the dashboard started: its latest event
	Gone     bool    `json:"gone"`          // a loss named it, and it has not answered since
	Why      string  `json:"why,omitempty"` // the error of its latest loss

	// The times (ms) of its latest answer and loss: events reach the
	// dashboard from several goroutines, not always in order.
	answeredAt, lostAt float64
}

// answered records an answer of the worker at now (a finished, failed or
// restored task): it is live, unless a later loss named it.
func (s *workerStats) answered(now float64) {
	s.answeredAt = max(s.answeredAt, now)
	if s.answeredAt >= s.lostAt {
		s.Gone = false
	}
}

// lost records a loss that named the worker at now: it is gone, unless it
// answered later.
func (s *workerStats) lost(now float64) {
	s.lostAt = max(s.lostAt, now)
	if s.lostAt > s.answeredAt {
		s.Gone = true
	}
}

// runWorkers is what a run's events said about workers. It is guarded by
// the Dashboard's mutex.
type runWorkers struct {
	index      map[string]int
	list       []workerStats // in the order first seen
	workerOf   []uint16      // node -> 1 + index in list of where it last ran or was restored; nil until a worker is named
	lost       int           // lost executions, named worker or not
	recomputed int           // from the run's final stats
}

// worker returns the stats of the named worker, adding it if new.
func (w *runWorkers) worker(name string) (int, *workerStats) {
	if i, ok := w.index[name]; ok {
		return i, &w.list[i]
	}
	if w.index == nil {
		w.index = map[string]int{}
	}
	w.index[name] = len(w.list)
	w.list = append(w.list, workerStats{Name: name, answeredAt: math.Inf(-1), lostAt: math.Inf(-1)})
	return len(w.list) - 1, &w.list[len(w.list)-1]
}

// event records what a thunk event says of its worker. node is the
// thunk's index in the run's graph (-1 if not in it), nodes the graph's
// size.
func (w *runWorkers) event(e cairn.Event, node int32, nodes int, now float64) {
	if e.Kind == cairn.ThunkLost {
		w.lost++
	}
	if e.Worker == "" {
		return
	}
	switch e.Kind {
	case cairn.ThunkFinished, cairn.ThunkFailed, cairn.ThunkRetrying, cairn.ThunkLost, cairn.ThunkRestored:
	default:
		return
	}
	i, s := w.worker(e.Worker)
	if s.Tasks+s.Failed+s.Lost+s.Restored == 0 || now > s.Last { // its first event, or a later one
		s.Last = now
	}
	ran := false
	switch e.Kind {
	case cairn.ThunkFinished:
		s.Tasks++
		s.Busy += durMs(e)
		s.answered(now)
		ran = true
	case cairn.ThunkFailed:
		s.Failed++
		s.Busy += durMs(e)
		ran = true
		if !errors.Is(e.Err, cairn.ErrLost) { // not lost too often: it answered
			s.answered(now)
		}
	case cairn.ThunkRetrying: // Duration is the wait before the retry
		s.Failed++
		s.answered(now)
	case cairn.ThunkLost:
		s.Lost++
		s.lost(now)
		s.Why = clip(errString(e.Err), 300) // sent at every update
	case cairn.ThunkRestored:
		s.Restored++
		s.answered(now)
		ran = true
	}
	if ran && node >= 0 && i < maxWorkers {
		if w.workerOf == nil {
			w.workerOf = make([]uint16, nodes)
		}
		w.workerOf[node] = uint16(i + 1)
	}
}

// live counts the workers seen that are not taken for gone.
func (w *runWorkers) live() int {
	n := 0
	for _, s := range w.list {
		if !s.Gone {
			n++
		}
	}
	return n
}

// durMs is an event's Duration in milliseconds.
func durMs(e cairn.Event) float64 { return float64(e.Duration.Microseconds()) / 1000 }
