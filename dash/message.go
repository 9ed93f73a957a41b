package dash

import (
	"strings"
	"time"
)

// message is one update sent to a browser.
type message struct {
	Now     float64      `json:"now"` // ms since the dashboard started
	Title   string       `json:"title"`
	Runs    []runSummary `json:"runs"`
	Run     *runDetail   `json:"run,omitempty"`
	Slots   int          `json:"slots"`
	Tasks   []task       `json:"tasks"`
	Reset   bool         `json:"reset,omitempty"` // forget earlier tasks: some were missed
	Running []task       `json:"running"`
	States  []string     `json:"stateNames"`
	Colors  []string     `json:"stateColors"`
}

type runSummary struct {
	ID     uint64 `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Thunks int    `json:"thunks"`
	// Work counts the thunks that ran (done, checkpointed or failed): the
	// page opens on the finished run with the most.
	Work  int     `json:"work"`
	Start float64 `json:"start"`
	End   float64 `json:"end,omitempty"`
}

type runDetail struct {
	runSummary
	Counts        [numStates]int `json:"counts"`
	Rate          float64        `json:"rate"` // thunks completed per second
	ETA           float64        `json:"eta"`  // seconds; -1 unknown
	Throughput    []int          `json:"throughput"`
	BytesWritten  int64          `json:"bytesWritten"`
	BytesRead     int64          `json:"bytesRead"`
	Checkpoints   int            `json:"checkpoints"`
	Restores      int            `json:"restores"`
	CkptFailed    int            `json:"checkpointFailed"`
	RestoreFailed int            `json:"restoreFailed"`
	Err           string         `json:"err,omitempty"`
	Errors        []errorEntry   `json:"errors"`
	MoreErrors    int            `json:"moreErrors,omitempty"`
	// Layout is sent when the browser does not have it yet.
	Layout *layout `json:"layout,omitempty"`
	// States holds one digit per thunk (nodes mode): its State.
	States string `json:"states,omitempty"`
	// GroupStates holds the state counts of each group (groups mode).
	GroupStates [][numStates]int `json:"groupStates,omitempty"`

	// Workers are the worker processes the run's events named, in the
	// order first seen (none with the local executor); LiveWorkers counts
	// those not taken for gone.
	Workers     []workerStats `json:"workers,omitempty"`
	LiveWorkers int           `json:"liveWorkers"`
	// Lost counts executions lost with their worker (each ran again);
	// Recomputed the thunks made again because their value was lost
	// (known when the run ends).
	Lost       int `json:"lost"`
	Recomputed int `json:"recomputed"`
	// WorkerOf (nodes mode, cluster runs) holds for each thunk 1 + the
	// index in Workers of the worker that last ran or restored it, or 0.
	WorkerOf []uint16 `json:"workerOf,omitempty"`
}

// maxTasksPerMessage bounds the tasks sent in one update: a page that
// connects late, or lags, gets the latest ones.
const maxTasksPerMessage = 5000

// cursor is what one browser already has.
type cursor struct {
	run     uint64 // run whose layout it has
	tasks   uint64 // next task sequence number it needs
	started bool
}

// message builds the update for a browser that follows run (0: the
// latest), advancing its cursor.
func (d *Dashboard) message(c *cursor, run uint64) *message {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	m := &message{Now: ms(now, d.t0), Title: d.opts.Title, Slots: d.slots}
	for s := range numStates {
		m.States = append(m.States, s.String())
		m.Colors = append(m.Colors, s.Color())
	}
	for _, r := range d.runs {
		m.Runs = append(m.Runs, d.summary(r))
	}
	if r := d.run(run); r != nil {
		m.Run = d.detail(r, now, c.run != r.id)
		c.run = r.id
	}
	from := c.tasks
	if d.tasks.next-from > maxTasksPerMessage {
		from = d.tasks.next - maxTasksPerMessage // a page that lags gets the latest
	}
	m.Tasks, m.Reset = d.tasks.since(from)
	m.Reset = m.Reset || !c.started || from != c.tasks
	c.started = true
	c.tasks = d.tasks.next
	m.Running = make([]task, 0, len(d.running))
	for _, t := range d.running {
		m.Running = append(m.Running, t)
	}
	return m
}

func (d *Dashboard) summary(r *runModel) runSummary {
	s := runSummary{ID: r.id, Name: r.name, Status: r.status(), Start: ms(r.start, d.t0),
		Work: r.counts[Done] + r.counts[Checkpointed] + r.counts[Failed]}
	if r.g != nil {
		s.Thunks = r.g.len()
	}
	if r.finished {
		s.End = ms(r.end, d.t0)
	}
	return s
}

func (d *Dashboard) detail(r *runModel, now time.Time, withLayout bool) *runDetail {
	x := &runDetail{runSummary: d.summary(r), Counts: r.counts, Rate: r.rate(now), ETA: -1,
		Throughput: r.throughput(now), BytesWritten: r.bytesWritten, BytesRead: r.bytesRead,
		Checkpoints: r.checkpoints, Restores: r.restores, CkptFailed: r.ckptFailed,
		RestoreFailed: r.restoreFailed, Err: r.err, Errors: append([]errorEntry{}, r.errors...), MoreErrors: r.droppedErrors,
		Workers: append([]workerStats(nil), r.workers.list...), LiveWorkers: r.workers.live(),
		Lost: r.workers.lost, Recomputed: r.workers.recomputed}
	if !r.finished && x.Rate > 0 {
		x.ETA = float64(r.remaining()) / x.Rate
	}
	lay := r.layout(d.opts.DetailLimit)
	if lay == nil {
		return x
	}
	if withLayout {
		x.Layout = lay
	}
	if lay.Mode == "nodes" {
		var b strings.Builder
		b.Grow(len(r.states))
		for _, s := range r.states {
			b.WriteByte('0' + byte(s))
		}
		x.States = b.String()
		if r.workers.workerOf != nil {
			x.WorkerOf = append([]uint16(nil), r.workers.workerOf...)
		}
	} else {
		x.GroupStates = make([][numStates]int, len(lay.Nodes))
		for i, s := range r.states {
			x.GroupStates[r.groupOf[i]][s]++
		}
	}
	return x
}
