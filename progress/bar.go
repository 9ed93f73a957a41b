package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
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
	tty     bool      // bars drawn in place; otherwise plain lines on w
	w       io.Writer // the writer, for plain lines
	wmu     sync.Mutex
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

// New returns a Bar that draws on w: bars in place on a terminal; on other
// writers (a CI log, a file), one plain line per running run at each
// refresh and one when it finishes (nil opts: the defaults).
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
	b := &Bar{tty: tty, w: w, rate: o.RefreshRate, refresh: make(chan any), stop: make(chan struct{}),
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

// sync moves each running run's bar to its count of completed thunks, or
// prints its line.
func (b *Bar) sync() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.runs {
		switch {
		case r.finished.Load():
		case r.bar != nil:
			r.bar.SetCurrent(min(r.completed(), r.total))
		default:
			b.println(r.line())
		}
	}
}

// println prints one line above the bars, or on the writer.
func (b *Bar) println(line string) {
	if b.tty {
		fmt.Fprintln(b.p, line)
		return
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	fmt.Fprintln(b.w, line)
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
	r.sawWorker(e.Worker)
	switch e.Kind {
	case cairn.ThunkStarted:
		r.startThunk(e.Thunk.ID())
	case cairn.ThunkFinished:
		r.endThunk(e.Thunk.ID())
		r.settle(e.Thunk.ID(), inDone)
	case cairn.ThunkFailed:
		r.endThunk(e.Thunk.ID())
		r.settle(e.Thunk.ID(), inFailed)
	case cairn.ThunkRetrying:
		r.endThunk(e.Thunk.ID())
	case cairn.ThunkLost:
		r.endThunk(e.Thunk.ID())
		r.lost.Add(1)
	case cairn.ThunkRestored:
		r.settle(e.Thunk.ID(), inRestored)
	case cairn.ThunkPruned:
		r.settle(e.Thunk.ID(), inPruned)
	case cairn.ThunkSkipped:
		r.settle(e.Thunk.ID(), inSkipped)
	case cairn.ThunkCheckpointed:
		r.checkpointed.Add(1)
	}
}

func (b *Bar) startRun(e cairn.Event) {
	if e.Thunks == nil {
		return // a run whose final result is restored has no graph: see finishRun
	}
	r := &run{id: e.Run, name: e.RunName, total: int64(len(e.Thunks)), start: e.Time}
	r.index(e.Thunks) // outside the lock: it may be big
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	if r.start.IsZero() {
		r.start = time.Now()
	}
	label := fmt.Sprintf("run %d", r.id)
	if r.name != "" {
		label += " " + r.name
	}
	r.label = label
	b.runs[r.id] = r
	b.active++
	if !b.tty {
		return // plain lines: see sync and finishRun
	}
	// Fixed widths: mpb's width-syncing columns make every bar wait for the
	// others while drawing, and with many bars that stalls AddBar — on a
	// scheduler goroutine.
	r.bar = b.p.AddBar(r.total,
		mpb.PrependDecorators(
			decor.Name(label, decor.WC{W: len(label) + 1, C: decor.DindentRight}),
			decor.Any(r.counters, decor.WC{W: 12}),
		),
		mpb.AppendDecorators(decor.Any(r.describe)),
		// A finished run is printed once, above the bars, and its bar
		// removed: a long-lived Bar does not redraw every run it has seen.
		mpb.BarRemoveOnComplete(),
	)
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
			b.println(fmt.Sprintf("%s: final result restored in %s; nothing ran", label, round(e.Duration)))
		}
		return
	}
	delete(b.runs, e.Run)
	r.running.Store(0) // tasks cancelled with the run report no end
	r.started.Clear()
	r.took.Store(int64(e.Duration))
	r.failedRun.Store(e.Err != nil)
	r.finished.Store(true)
	b.println(r.line())
	if r.bar != nil {
		r.bar.SetCurrent(min(r.completed(), r.total))
		if e.Err != nil {
			r.bar.Abort(true)
		} else {
			r.bar.SetTotal(-1, true)
		}
	}
	b.active--
	b.idle.Broadcast()
}

// Output returns where other output should go while bars may be drawn:
// the Bar itself, which prints above its bars, or w if b is nil. Log
// through it:
//
//	log := slog.New(slog.NewTextHandler(bar.Output(os.Stderr), nil))
func (b *Bar) Output(w io.Writer) io.Writer {
	if b == nil {
		return w
	}
	return b
}

// Write prints p above the bars, so that other output does not tear them.
// On a nil *Bar it discards p: use Output to fall back to a writer.
func (b *Bar) Write(p []byte) (int, error) {
	if b == nil {
		return len(p), nil
	}
	if !b.tty {
		b.wmu.Lock()
		defer b.wmu.Unlock()
		return b.w.Write(p)
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
			if r.bar != nil {
				r.bar.SetCurrent(min(r.completed(), r.total))
				r.bar.Abort(false)
			} else {
				b.println(r.line() + " · stopped")
			}
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
