package dash

import (
	"time"
	"unicode/utf8"

	"github.com/cairnlabs/cairn"
)

// maxErrors bounds the errors kept per run.
const maxErrors = 50

// rateWindow is how many seconds of completions a run keeps, for its rate
// and throughput chart.
const rateWindow = 60

// runModel is what the dashboard knows of one run. It is guarded by the
// Dashboard's mutex.
type runModel struct {
	id            uint64
	name          string
	start, end    time.Time
	finished      bool
	err           string
	finalRestored bool

	g      *graph
	states []State
	counts [numStates]int

	lay     *layout // computed when first asked for
	groupOf []int32 // node -> group, in group mode

	bytesWritten, bytesRead   int64
	checkpoints, restores     int
	ckptFailed, restoreFailed int
	errors                    []errorEntry
	droppedErrors             int
	workers                   runWorkers

	buckets [rateWindow]bucket
}

// bucket counts the thunks completed in one second.
type bucket struct {
	sec int64
	n   int
}

// errorEntry is a failure shown on the page.
type errorEntry struct {
	Time  float64 `json:"t"` // ms since the dashboard started
	Kind  string  `json:"kind"`
	Thunk string  `json:"thunk"`
	Err   string  `json:"err"`
	// Worker is where it happened, with a cluster executor.
	Worker string `json:"worker,omitempty"`
}

func newRunModel(e cairn.Event, g *graph) *runModel {
	r := &runModel{id: e.Run, name: e.RunName, start: e.Time, g: g}
	if g != nil {
		r.states = make([]State, g.len())
		r.counts[Pending] = g.len()
	}
	return r
}

// set moves node i to state s, counting completions.
func (r *runModel) set(i int32, s State, at time.Time) {
	old := r.states[i]
	if old == s {
		return
	}
	r.states[i] = s
	r.counts[old]--
	r.counts[s]++
	if !old.final() && s.final() {
		sec := at.Unix()
		b := &r.buckets[sec%rateWindow]
		if b.sec != sec {
			*b = bucket{sec: sec}
		}
		b.n++
	}
}

// thunkEvent applies an event about one of the run's thunks.
func (r *runModel) thunkEvent(e cairn.Event, t0 time.Time) {
	switch e.Kind {
	case cairn.ThunkRestored:
		r.restores++
		r.bytesRead += e.Bytes
	case cairn.ThunkCheckpointed:
		r.checkpoints++
		r.bytesWritten += e.Bytes
	case cairn.RestoreFailed:
		r.restoreFailed++
	case cairn.CheckpointFailed:
		r.ckptFailed++
	}
	switch e.Kind {
	case cairn.ThunkFailed, cairn.RestoreFailed, cairn.CheckpointFailed, cairn.ThunkRetrying:
		name := "final result"
		if e.Thunk != nil {
			name, _ = names(e.Thunk)
		}
		r.addError(errorEntry{Time: ms(e.Time, t0), Kind: e.Kind.String(), Thunk: name, Err: errString(e.Err), Worker: e.Worker})
	}
	node := int32(-1)
	if e.Thunk != nil && r.g != nil {
		if i, ok := r.g.index[e.Thunk.ID()]; ok {
			node = i
		}
	}
	if e.Thunk != nil {
		r.workers.event(e, node, len(r.states), ms(e.Time, t0))
	}
	if e.Thunk == nil {
		if e.Kind == cairn.ThunkRestored {
			r.finalRestored = true
		}
		return
	}
	if node >= 0 {
		r.set(node, r.states[node].after(e.Kind), e.Time)
	}
}

func (r *runModel) addError(e errorEntry) {
	if len(r.errors) >= maxErrors {
		r.droppedErrors++
		return
	}
	r.errors = append(r.errors, e)
}

// finish applies RunFinished. Thunks left unfinished by a stopped run
// (cancelled while running, say, which reports no event) are shown
// skipped.
func (r *runModel) finish(e cairn.Event) {
	r.finished = true
	r.end = e.Time
	for i, s := range r.states {
		if !s.final() {
			r.set(int32(i), Skipped, e.Time)
		}
	}
	if e.Err != nil {
		r.err = errString(e.Err)
	}
	if e.Stats != nil {
		r.workers.recomputed = e.Stats.Recomputed
		r.workers.lost = max(r.workers.lost, e.Stats.Lost)
	}
	if e.Stats != nil && e.Stats.FinalRestored {
		// The final result's ThunkRestored came before RunStarted, for a
		// run not yet known: count it here.
		if !r.finalRestored {
			r.restores++
		}
		r.finalRestored = true
	}
}

// status is "running", "ok", "restored" (the final result was restored) or
// "failed".
func (r *runModel) status() string {
	switch {
	case !r.finished:
		return "running"
	case r.err != "":
		return "failed"
	case r.finalRestored:
		return "restored"
	}
	return "ok"
}

// rate returns the thunks completed per second over the last five seconds
// (or since the run started, if later); for a finished run, over the run.
func (r *runModel) rate(now time.Time) float64 {
	const span = 5
	if r.finished {
		el := r.end.Sub(r.start).Seconds()
		if el <= 0 || r.g == nil {
			return 0
		}
		return float64(r.g.len()-r.remaining()) / el
	}
	sec := now.Unix()
	n := 0
	for _, b := range r.buckets {
		if b.sec > sec-span && b.sec <= sec {
			n += b.n
		}
	}
	el := now.Sub(r.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(n) / min(float64(span), max(el, 1))
}

// throughput returns completions per second for the last rateWindow
// seconds, oldest first.
func (r *runModel) throughput(now time.Time) []int {
	sec := now.Unix()
	out := make([]int, rateWindow)
	for _, b := range r.buckets {
		if age := sec - b.sec; age >= 0 && age < rateWindow {
			out[rateWindow-1-age] = b.n
		}
	}
	return out
}

// remaining counts thunks that are not final.
func (r *runModel) remaining() int {
	n := 0
	for s := range numStates {
		if !s.final() {
			n += r.counts[s]
		}
	}
	return n
}

// layout returns the run's drawing, computing it on first use.
func (r *runModel) layout(limit int) *layout {
	if r.lay == nil && r.g != nil {
		if r.g.len() <= limit {
			r.lay = layoutNodes(r.g)
		} else {
			r.lay, r.groupOf = layoutGroups(r.g)
		}
	}
	return r.lay
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return clip(err.Error(), 2000)
}

// clip cuts s to at most n bytes and an ellipsis, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// ms returns t in milliseconds since t0.
func ms(t, t0 time.Time) float64 { return float64(t.Sub(t0).Microseconds()) / 1000 }
