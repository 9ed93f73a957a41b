package metrics

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairnlabs/cairn"
)

// Listener turns a scheduler's events into Prometheus metrics (see the
// package documentation for the list). It is a cairn.Listener and a
// prometheus.Collector, safe for concurrent use; OnEvent only updates
// counters.
type Listener struct {
	thunks     *prometheus.CounterVec
	byKind     [cairn.CheckpointFailed + 1]prometheus.Counter
	running    prometheus.Gauge
	taskDur    *prometheus.HistogramVec
	runs       *prometheus.CounterVec
	activeRuns prometheus.Gauge
	runDur     prometheus.Histogram
	written    prometheus.Counter
	read       prometheus.Counter
	ckptErrs   prometheus.Counter
	rstErrs    prometheus.Counter
	ioDur      *prometheus.HistogramVec
	err        error

	mu        sync.Mutex
	runningBy map[uint64]int // running thunks by run, to settle cancelled runs
}

// durationBuckets span a millisecond to an hour: tasks in cairn are often
// long.
var durationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}

// New returns a Listener registered with reg. If reg already holds a
// Listener, that one is returned, so that two schedulers in one process
// add to the same counts. A nil reg registers nothing: register the
// Listener yourself, as the prometheus.Collector it is. Any other
// registration error (another collector owns a cairn_ name) is kept and
// returned by Err; the Listener still counts.
func New(reg prometheus.Registerer) *Listener {
	l := &Listener{
		thunks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_thunks_total",
			Help: "Thunks that reached each state (one count per event)."}, []string{"state"}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cairn_thunks_running",
			Help: "Thunks running now."}),
		taskDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cairn_task_duration_seconds",
			Help: "Run time of tasks, by function and result (ok or failed).", Buckets: durationBuckets},
			[]string{"func", "result"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cairn_runs_total",
			Help: "Runs (Compute, Collect, Spawn) that ended, by result (ok or failed)."}, []string{"result"}),
		activeRuns: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cairn_runs_active",
			Help: "Runs going on now."}),
		runDur: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "cairn_run_duration_seconds",
			Help: "Duration of runs.", Buckets: durationBuckets}),
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "cairn_checkpoint_bytes_written_total",
			Help: "Bytes written by checkpoints, as reported by the store."}),
		read: prometheus.NewCounter(prometheus.CounterOpts{Name: "cairn_restore_bytes_read_total",
			Help: "Bytes read by restores, as reported by the store."}),
		ckptErrs: prometheus.NewCounter(prometheus.CounterOpts{Name: "cairn_checkpoint_errors_total",
			Help: "Checkpoint writes that failed."}),
		rstErrs: prometheus.NewCounter(prometheus.CounterOpts{Name: "cairn_restore_errors_total",
			Help: "Restores that failed (the thunks were recomputed)."}),
		ioDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cairn_checkpoint_io_seconds",
			Help: "Time to write (op=write) or read (op=read) a checkpoint.", Buckets: durationBuckets},
			[]string{"op"}),
	}
	for k := cairn.ThunkScheduled; k <= cairn.CheckpointFailed; k++ {
		l.byKind[k] = l.thunks.WithLabelValues(stateLabel(k)) // every state shows, at 0
	}
	l.runningBy = map[uint64]int{}
	l.runs.WithLabelValues("ok")
	l.runs.WithLabelValues("failed")
	if reg == nil {
		return l
	}
	if err := reg.Register(l); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(*Listener); ok {
				return old
			}
		}
		l.err = err
	}
	return l
}

// stateLabel is an event kind as a label value: "restore_failed".
func stateLabel(k cairn.EventKind) string { return strings.ReplaceAll(k.String(), "-", "_") }

// Err returns the error met registering the Listener, if any.
func (l *Listener) Err() error { return l.err }

// collectors lists every metric, for Describe and Collect.
func (l *Listener) collectors() []prometheus.Collector {
	return []prometheus.Collector{l.thunks, l.running, l.taskDur, l.runs, l.activeRuns, l.runDur,
		l.written, l.read, l.ckptErrs, l.rstErrs, l.ioDur}
}

// Describe implements prometheus.Collector.
func (l *Listener) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range l.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (l *Listener) Collect(ch chan<- prometheus.Metric) {
	for _, c := range l.collectors() {
		c.Collect(ch)
	}
}

// OnEvent updates the metrics. It implements cairn.Listener.
func (l *Listener) OnEvent(e cairn.Event) {
	switch e.Kind {
	case cairn.RunStarted:
		l.activeRuns.Inc()
		return
	case cairn.RunFinished:
		l.activeRuns.Dec()
		l.mu.Lock()
		if n := l.runningBy[e.Run]; n != 0 {
			l.running.Sub(float64(n)) // tasks cancelled with the run report no end
		}
		delete(l.runningBy, e.Run)
		l.mu.Unlock()
		result := "ok"
		if e.Err != nil {
			result = "failed"
		}
		l.runs.WithLabelValues(result).Inc()
		l.runDur.Observe(e.Duration.Seconds())
		return
	}
	if e.Kind < cairn.ThunkScheduled || e.Kind > cairn.CheckpointFailed {
		return
	}
	if e.Thunk != nil { // final-result checkpoint events carry no thunk
		l.byKind[e.Kind].Inc()
	}
	switch e.Kind {
	case cairn.ThunkStarted, cairn.ThunkFinished, cairn.ThunkFailed, cairn.ThunkRetrying:
		d := -1
		if e.Kind == cairn.ThunkStarted {
			d = 1
		}
		l.running.Add(float64(d))
		l.mu.Lock()
		l.runningBy[e.Run] += d
		l.mu.Unlock()
	}
	switch e.Kind {
	case cairn.ThunkFinished:
		l.taskDur.WithLabelValues(funcName(e.Thunk), "ok").Observe(e.Duration.Seconds())
	case cairn.ThunkFailed:
		if !errors.Is(e.Err, context.Canceled) {
			l.taskDur.WithLabelValues(funcName(e.Thunk), "failed").Observe(e.Duration.Seconds())
		}
	case cairn.ThunkRestored:
		l.read.Add(float64(e.Bytes))
		l.ioDur.WithLabelValues("read").Observe(e.Duration.Seconds())
	case cairn.ThunkCheckpointed:
		l.written.Add(float64(e.Bytes))
		l.ioDur.WithLabelValues("write").Observe(e.Duration.Seconds())
	case cairn.RestoreFailed:
		l.rstErrs.Inc()
	case cairn.CheckpointFailed:
		l.ckptErrs.Inc()
	}
}

func funcName(t *cairn.Thunk) string {
	if t == nil {
		return "final"
	}
	if f := t.Func(); f != nil {
		return f.Name()
	}
	return t.Name()
}
