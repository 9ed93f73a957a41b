package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/cairnlabs/cairn"
)

// Options configure a Bar. A nil *Options, and every zero field, means the
// default given with the field.
type Options struct {
	// RefreshRate is the time between redraws. Default 150ms on a terminal,
	// 2s on other writers (files, pipes, buffers), where every redraw
	// appends lines.
	RefreshRate time.Duration
	// Width is the width of a line on writers that are not terminals;
	// terminals use their own. Default 110.
	Width int
}

// Bar draws one progress bar per run. Make one with New or Auto, add it to
// cairn.Config.Listeners, and call Wait or Close once the runs are done to
// draw their final state and stop. Its methods are safe for concurrent
// use, and do nothing on a nil *Bar.
type Bar struct {
	p       *mpb.Progress
	rate    time.Duration
	refresh chan any
	stop    chan struct{}
	stopped chan struct{}

	mu     sync.Mutex
	idle   *sync.Cond // signalled when a run finishes
	runs   map[uint64]*run
	active int
	closed bool
	once   sync.Once
	err    error
}

// run is the bar of one run; its counters are written by OnEvent and read
// by the drawing goroutine.
type run struct {
	id    uint64
	name  string
	total int64
	start time.Time
	bar   *mpb.Bar

	done, running, restored, failed, pruned, skipped, checkpointed atomic.Int64
	finished                                                       atomic.Bool
	took                                                           atomic.Int64 // duration once finished
	failedRun                                                      atomic.Bool
}

// completed counts thunks that have nothing left to do.
func (r *run) completed() int64 {
	return r.done.Load() + r.restored.Load() + r.failed.Load() + r.pruned.Load() + r.skipped.Load()
}

// New returns a Bar that draws on w: in place on a terminal, as appended
// lines on other writers (nil opts: the defaults).
func New(w io.Writer, opts *Options) *Bar {
	var o Options
	if opts != nil {
		o = *opts
	}
	tty := isTerminal(w)
	if o.RefreshRate <= 0 {
		o.RefreshRate = 150 * time.Millisecond
		if !tty {
			o.RefreshRate = 2 * time.Second
		}
	}
	if o.Width <= 0 {
		o.Width = 110
	}
	b := &Bar{rate: o.RefreshRate, refresh: make(chan any), stop: make(chan struct{}),
		stopped: make(chan struct{}), runs: map[uint64]*run{}}
	b.idle = sync.NewCond(&b.mu)
	b.p = mpb.New(mpb.WithOutput(w), mpb.WithWidth(o.Width), mpb.WithManualRefresh(b.refresh))
	go b.loop()
	return b
}

// Auto returns a Bar drawing on f if f is a terminal, and nil otherwise: a
// nil *Bar is a listener that does nothing, so scripts and CI logs stay
// clean.
func Auto(f *os.File) *Bar {
	if f == nil || !isTerminal(f) {
		return nil
	}
	return New(f, nil)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && f != nil && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// loop redraws until Close.
func (b *Bar) loop() {
	defer close(b.stopped)
	t := time.NewTicker(b.rate)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
		}
		b.sync()
		select {
		case b.refresh <- nil:
		case <-b.stop:
			return
		}
	}
}

// sync moves each running run's bar to its count of completed thunks.
func (b *Bar) sync() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.runs {
		if !r.finished.Load() {
			r.bar.SetCurrent(min(r.completed(), r.total))
		}
	}
}

// OnEvent counts e. It implements cairn.Listener.
func (b *Bar) OnEvent(e cairn.Event) {
	if b == nil {
		return
	}
	switch e.Kind {
	case cairn.RunStarted:
		b.startRun(e)
		return
	case cairn.RunFinished:
		b.finishRun(e)
		return
	}
	if e.Thunk == nil {
		return // the final result's checkpoint events
	}
	b.mu.Lock()
	r := b.runs[e.Run]
	b.mu.Unlock()
	if r == nil {
		return
	}
	switch e.Kind {
	case cairn.ThunkStarted:
		r.running.Add(1)
	case cairn.ThunkFinished:
		r.running.Add(-1)
		r.done.Add(1)
	case cairn.ThunkFailed:
		r.running.Add(-1)
		r.failed.Add(1)
	case cairn.ThunkRetrying:
		r.running.Add(-1)
	case cairn.ThunkRestored:
		r.restored.Add(1)
	case cairn.ThunkPruned:
		r.pruned.Add(1)
	case cairn.ThunkSkipped:
		r.skipped.Add(1)
	case cairn.ThunkCheckpointed:
		r.checkpointed.Add(1)
	}
}

func (b *Bar) startRun(e cairn.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || e.Thunks == nil {
		return // a run whose final result is restored has no graph: see finishRun
	}
	r := &run{id: e.Run, name: e.RunName, total: int64(len(e.Thunks)), start: e.Time}
	if r.start.IsZero() {
		r.start = time.Now()
	}
	label := fmt.Sprintf("run %d", r.id)
	if r.name != "" {
		label += " " + r.name
	}
	r.bar = b.p.AddBar(r.total,
		mpb.PrependDecorators(
			decor.Name(label, decor.WCSyncSpaceR),
			decor.Any(r.counters, decor.WCSyncWidth),
		),
		mpb.AppendDecorators(decor.Any(r.describe)),
	)
	b.runs[r.id] = r
	b.active++
}

func (b *Bar) finishRun(e cairn.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.runs[e.Run]
	if r == nil {
		if !b.closed && e.Stats != nil && e.Stats.FinalRestored {
			label := fmt.Sprintf("run %d", e.Run)
			if e.RunName != "" {
				label += " " + e.RunName
			}
			fmt.Fprintf(b.p, "%s: final result restored in %s; nothing ran\n", label, round(e.Duration))
		}
		return
	}
	delete(b.runs, e.Run)
	r.running.Store(0) // tasks cancelled with the run report no end
	r.took.Store(int64(e.Duration))
	r.failedRun.Store(e.Err != nil)
	r.finished.Store(true)
	r.bar.SetCurrent(min(r.completed(), r.total))
	if e.Err != nil {
		r.bar.Abort(false)
	} else {
		r.bar.SetTotal(-1, true)
	}
	b.active--
	b.idle.Broadcast()
}

// counters is "completed/total", from the live counts: the bar itself
// moves at each redraw.
func (r *run) counters(decor.Statistics) string {
	return fmt.Sprintf("%d/%d", min(r.completed(), r.total), r.total)
}

// describe is the text after the bar.
func (r *run) describe(decor.Statistics) string {
	var parts []string
	add := func(n int64, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	done := r.done.Load()
	parts = append(parts, fmt.Sprintf("%d done", done))
	add(r.running.Load(), "running")
	add(r.restored.Load(), "restored")
	add(r.pruned.Load(), "pruned")
	add(r.failed.Load(), "failed")
	add(r.skipped.Load(), "skipped")
	if r.finished.Load() {
		took := time.Duration(r.took.Load())
		verb := "finished"
		if r.failedRun.Load() {
			verb = "failed"
		}
		return strings.Join(parts, " · ") + fmt.Sprintf(" · %s in %s", verb, round(took))
	}
	el := time.Since(r.start)
	c := r.completed()
	if c > 0 && el > 0 {
		rate := float64(c) / el.Seconds()
		eta := time.Duration(float64(r.total-c) / rate * float64(time.Second))
		parts = append(parts, fmt.Sprintf("%.1f/s", rate), "ETA "+round(eta))
	} else {
		parts = append(parts, "ETA —")
	}
	return strings.Join(parts, " · ")
}

// round shortens a duration for display: 1.2s, 340ms, 2m5s.
func round(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// Write prints p above the bars, so that other output does not tear them.
func (b *Bar) Write(p []byte) (int, error) {
	if b == nil {
		return len(p), nil
	}
	return b.p.Write(p)
}

// Wait waits for every run that has started to finish, then draws the
// final state and stops, like Close. Since Compute and Collect return only
// after their run has finished, Wait returns at once after them.
func (b *Bar) Wait() {
	if b == nil {
		return
	}
	b.mu.Lock()
	for b.active > 0 && !b.closed {
		b.idle.Wait()
	}
	b.mu.Unlock()
	b.Close()
}

// Close draws the final state of every bar and stops; runs still going are
// shown as stopped. Events after Close are ignored. Close is safe to call
// more than once, and returns the error, if any, of writing the bars.
func (b *Bar) Close() error {
	if b == nil {
		return nil
	}
	b.once.Do(func() {
		close(b.stop)
		<-b.stopped
		b.mu.Lock()
		b.closed = true
		for id, r := range b.runs {
			r.bar.SetCurrent(min(r.completed(), r.total))
			r.bar.Abort(false)
			delete(b.runs, id)
		}
		b.active = 0
		b.idle.Broadcast()
		b.mu.Unlock()
		b.refresh <- nil // flush what was written through Write
		b.p.Wait()
		b.err = b.p.Error
	})
	return b.err
}
