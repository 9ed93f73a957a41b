package dash

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/cairnlabs/cairn"
)

// Options configure a Dashboard. A nil *Options, and every zero field, means
// the default given with the field.
type Options struct {
	// Title is shown at the top of the page. Default "cairn".
	Title string
	// DetailLimit is the largest graph drawn thunk by thunk; a larger one
	// is drawn one box per function with its thunks' state counts, so that
	// graphs of 100,000 thunks stay responsive. Default DefaultMaxNodes.
	DetailLimit int
	// MaxRuns is how many runs are kept; the oldest finished run is
	// forgotten first. Default 8. Runs are also forgotten, oldest first,
	// while those kept hold more than a million thunks in all.
	MaxRuns int
	// MaxTasks is how many finished tasks the task stream keeps. Default
	// 20,000.
	MaxTasks int
	// Interval is the time between updates pushed to each browser. Default
	// 250ms.
	Interval time.Duration
}

// Dashboard shows runs live in a web browser: the graph with each thunk's
// state, a task stream per worker slot (per worker process with a cluster
// executor), counts, rates, checkpoint traffic, lost executions and
// errors. It is a cairn.Listener (add it to cairn.Config.Listeners) and
// an http.Handler (serve it with Serve, or mount it on a mux of your own
// with http.StripPrefix). Updates reach browsers as Server-Sent Events.
//
// A Dashboard is safe for concurrent use. OnEvent only updates counters
// under a mutex: browsers are served from that state at their own pace,
// so a slow browser never slows a run.
type Dashboard struct {
	opts      Options
	t0        time.Time
	mux       *http.ServeMux
	done      chan struct{} // closed by Close
	closeOnce sync.Once

	mu      sync.Mutex
	version uint64 // bumped by every event
	runs    []*runModel
	tasks   taskRing
	running map[int]task // by scheduler slot
	slots   int
}

// New returns a Dashboard configured by opts (nil: all defaults).
func New(opts *Options) *Dashboard {
	d := &Dashboard{t0: time.Now(), running: map[int]task{}, done: make(chan struct{})}
	if opts != nil {
		d.opts = *opts
	}
	if d.opts.Title == "" {
		d.opts.Title = "cairn"
	}
	if d.opts.DetailLimit <= 0 {
		d.opts.DetailLimit = DefaultMaxNodes
	}
	if d.opts.MaxRuns <= 0 {
		d.opts.MaxRuns = 8
	}
	if d.opts.MaxTasks <= 0 {
		d.opts.MaxTasks = 20000
	}
	if d.opts.Interval <= 0 {
		d.opts.Interval = 250 * time.Millisecond
	}
	d.tasks.buf = make([]task, d.opts.MaxTasks)
	d.routes()
	return d
}

// Close ends the event streams of open pages, so that an http.Server
// serving d can shut down, and makes later ones end at once. The dashboard
// still records events and serves its other paths. Close is safe to call
// more than once.
func (d *Dashboard) Close() error {
	d.closeOnce.Do(func() { close(d.done) })
	return nil
}

// task is one execution of a thunk in a scheduler slot.
type task struct {
	Seq  uint64 `json:"seq"`
	Slot int    `json:"slot"`
	// Worker is the worker process that ran it, with a cluster executor;
	// it is known once the task ends.
	Worker string  `json:"worker,omitempty"`
	Run    uint64  `json:"run"`
	Fn     string  `json:"fn"`
	Name   string  `json:"name"`
	Start  float64 `json:"s"`           // ms since the dashboard started
	End    float64 `json:"e,omitempty"` // 0 while running
	// Ran is the run time the worker reported, in ms (finished and failed
	// tasks of a worker): the rest of End-Start the task spent travelling
	// and waiting in the worker's queue.
	Ran   float64 `json:"ran,omitempty"`
	State string  `json:"st,omitempty"`  // done, failed, retrying, lost or cancelled
	Err   string  `json:"err,omitempty"` // why it was lost
}

// taskRing keeps the latest finished tasks.
type taskRing struct {
	buf  []task
	next uint64 // sequence number of the next task; buf[seq%len] holds it
}

func (r *taskRing) add(t task) {
	t.Seq = r.next
	r.buf[r.next%uint64(len(r.buf))] = t
	r.next++
}

// since returns the tasks from sequence number seq on, and whether some
// were already overwritten.
func (r *taskRing) since(seq uint64) ([]task, bool) {
	lost := false
	if n := uint64(len(r.buf)); r.next > n && seq < r.next-n {
		seq, lost = r.next-n, true
	}
	out := make([]task, 0, r.next-seq)
	for s := seq; s < r.next; s++ {
		out = append(out, r.buf[s%uint64(len(r.buf))])
	}
	return out, lost
}

// OnEvent records e. It implements cairn.Listener.
func (d *Dashboard) OnEvent(e cairn.Event) {
	var g *graph
	if e.Kind == cairn.RunStarted && e.Thunks != nil {
		g = newGraph(e.Thunks, false) // outside the lock: it may be big
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.version++
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	switch e.Kind {
	case cairn.RunStarted:
		d.addRun(newRunModel(e, g))
		return
	case cairn.RunFinished:
		if r := d.run(e.Run); r != nil {
			r.finish(e)
		}
		// A task cancelled with its run reports no end: end it here.
		for w, t := range d.running {
			if t.Run == e.Run {
				delete(d.running, w)
				t.End, t.State = ms(e.Time, d.t0), "cancelled"
				d.tasks.add(t)
			}
		}
		return
	case cairn.ThunkStarted:
		if e.Thunk != nil {
			d.slots = max(d.slots, e.Slot+1)
			name, fn := names(e.Thunk)
			d.running[e.Slot] = task{Slot: e.Slot, Run: e.Run, Fn: fn, Name: name, Start: ms(e.Time, d.t0)}
		}
	case cairn.ThunkFinished, cairn.ThunkFailed, cairn.ThunkRetrying, cairn.ThunkLost:
		if t, ok := d.running[e.Slot]; ok && e.Thunk != nil {
			delete(d.running, e.Slot)
			t.End = ms(e.Time, d.t0)
			t.Worker = e.Worker
			switch e.Kind {
			case cairn.ThunkFinished:
				t.State = "done"
			case cairn.ThunkFailed:
				t.State = Failed.String()
			case cairn.ThunkRetrying:
				t.State = Retrying.String()
			case cairn.ThunkLost:
				t.State = "lost"
				t.Err = clip(errString(e.Err), 300)
			}
			if e.Worker != "" && (e.Kind == cairn.ThunkFinished || e.Kind == cairn.ThunkFailed) {
				t.Ran = min(durMs(e), t.End-t.Start)
			}
			d.tasks.add(t)
		}
	}
	if r := d.run(e.Run); r != nil {
		r.thunkEvent(e, d.t0)
	}
}

// maxKeptThunks bounds the thunks of the runs kept, whatever MaxRuns says:
// a run of 100,000 thunks takes about 10 MB.
const maxKeptThunks = 1_000_000

// addRun keeps r, forgetting the oldest finished runs beyond MaxRuns or
// maxKeptThunks.
func (d *Dashboard) addRun(r *runModel) {
	d.runs = append(d.runs, r)
	for len(d.runs) > d.opts.MaxRuns || (len(d.runs) > 1 && d.keptThunks() > maxKeptThunks) {
		drop := -1
		for i, old := range d.runs[:len(d.runs)-1] {
			if old.finished {
				drop = i
				break
			}
		}
		if drop < 0 {
			break
		}
		d.runs = append(d.runs[:drop], d.runs[drop+1:]...)
	}
}

func (d *Dashboard) keptThunks() int {
	n := 0
	for _, r := range d.runs {
		if r.g != nil {
			n += r.g.len()
		}
	}
	return n
}

// run returns the run with the given id (0: the latest), or nil.
func (d *Dashboard) run(id uint64) *runModel {
	for i := len(d.runs) - 1; i >= 0; i-- {
		if id == 0 || d.runs[i].id == id {
			return d.runs[i]
		}
	}
	return nil
}

// WriteDOT writes the graph of a run (0: the latest) with its thunks'
// current states in Graphviz's DOT language; see the package function
// WriteDOT. A run whose final result was restored from its checkpoint
// (cairn.RunOptions.Restore) has no graph: it is written empty, with a
// title that says so. WriteDOT reports an error matching ErrNoRun if the
// dashboard does not know the run.
func (d *Dashboard) WriteDOT(w io.Writer, run uint64, opts *GraphOptions) error {
	g, states, opts, err := d.graphOf(run, opts)
	if err != nil {
		return err
	}
	return writeDOT(w, g, states, opts)
}

// WriteMermaid writes the graph of a run (0: the latest) as a Mermaid
// flowchart; see WriteDOT.
func (d *Dashboard) WriteMermaid(w io.Writer, run uint64, opts *GraphOptions) error {
	g, states, opts, err := d.graphOf(run, opts)
	if err != nil {
		return err
	}
	return writeMermaid(w, g, states, opts)
}

// graphOf returns the graph of a run and its states, and opts with a title
// for a run that has no graph.
func (d *Dashboard) graphOf(run uint64, opts *GraphOptions) (*graph, []int8, *GraphOptions, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.run(run)
	if r == nil {
		return nil, nil, nil, d.noRun(run)
	}
	if r.g == nil {
		o := GraphOptions{}
		if opts != nil {
			o = *opts
		}
		note := fmt.Sprintf("run #%d: no graph was looked at", r.id)
		if r.finalRestored {
			note = fmt.Sprintf("run #%d: the final result was restored from its checkpoint, so no graph was looked at", r.id)
		}
		if o.Title != "" {
			note = o.Title + " — " + note
		}
		o.Title = note
		return newGraph(nil, false), []int8{}, &o, nil
	}
	states := make([]int8, len(r.states))
	for i, s := range r.states {
		states[i] = int8(s)
	}
	return r.g, states, opts, nil
}

// noRun is the error for a run the dashboard does not know; d.mu is held.
func (d *Dashboard) noRun(run uint64) error {
	if len(d.runs) == 0 {
		return fmt.Errorf("%w: the dashboard has seen no run yet (is it in cairn.Config.Listeners?)", ErrNoRun)
	}
	first, last := d.runs[0].id, d.runs[len(d.runs)-1].id
	return fmt.Errorf("%w: run %d; the dashboard keeps runs %d to %d (see Options.MaxRuns)", ErrNoRun, run, first, last)
}
