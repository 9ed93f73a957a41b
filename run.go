package cairn

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn/internal/inflight"
	"github.com/cairnlabs/cairn/internal/sched"
)

// runner gives one run's graph its meaning: it implements sched.Hooks.
type runner struct {
	s       *Scheduler
	id      uint64
	runID   string // names the run in checkpoint stores
	name    string
	ctx     context.Context
	g       *graph
	run     *sched.Run
	results []Chunk
	keys    []string // checkpoint keys in s.cfg.Checkpoints ("" = none)
	attempt []int32
	events  bool

	restoreMu     sync.Mutex
	restoreQ      []int32
	restoreActive int

	ckpts inflight.Counter // this run's checkpoint writes

	computed, restored, failed          atomic.Int64
	checkpointed, ckptFailed, rstFailed atomic.Int64
	bytesWritten, bytesRead             atomic.Int64
}

// QuietScheduling tells the engine not to report queued nodes when nobody
// listens.
func (r *runner) QuietScheduling() bool { return !r.events }

func (r *runner) thunkEvent(k EventKind, i int32) Event {
	return Event{Kind: k, Time: time.Now(), Run: r.id, RunName: r.name, Thunk: r.g.thunks[i]}
}

func (r *runner) Scheduled(i int32) {
	if r.events {
		r.s.emit(r.thunkEvent(ThunkScheduled, i))
	}
}

func (r *runner) Release(i int32) { r.results[i] = nil }

// Execute runs node i: arguments from the results of its dependencies, the
// function on the executor, then the checkpoint.
func (r *runner) Execute(ctx context.Context, i int32, w int) (time.Duration, error) {
	t := r.g.thunks[i]
	r.attempt[i]++
	attempt := int(r.attempt[i])
	task := &Task{ID: t.id, Name: t.Name(), Func: t.fn, Args: make([]Chunk, len(t.args)),
		Key: r.key(i), Attempt: attempt, Worker: w}
	nodes := r.g.argNode[r.g.argStart[i]:r.g.argStart[i+1]]
	for j, a := range t.args {
		if d := nodes[j]; d >= 0 {
			task.Args[j] = r.results[d]
			continue
		}
		switch a := a.(type) {
		case Chunk:
			task.Args[j] = a
		default:
			task.Args[j] = &valueChunk{v: a}
		}
	}
	if r.events {
		e := r.thunkEvent(ThunkStarted, i)
		e.Worker, e.Attempt = w, attempt
		r.s.emit(e)
	}
	var start time.Time
	timed := r.events || r.keys != nil
	if timed {
		start = time.Now()
	}
	c, err := r.s.exec.Execute(ctx, task)
	if err == nil && c == nil {
		err = errors.New("cairn: the executor returned no result chunk and no error")
	}
	var took time.Duration
	if timed {
		took = time.Since(start)
	}
	if err != nil {
		if d, ok := r.retry(t, attempt, err); ok {
			if r.events {
				e := r.thunkEvent(ThunkRetrying, i)
				e.Worker, e.Attempt, e.Duration, e.Err = w, attempt, d, err
				r.s.emit(e)
			}
			return d, nil
		}
		return 0, r.fail(i, w, attempt, took, err)
	}
	// A required checkpoint is part of the thunk: it finishes only once
	// the checkpoint is written (listeners see finished or failed, never
	// both). Other checkpoints are written in the background.
	required := t.opts != nil && t.opts.CheckpointRequired
	if required {
		if err := r.checkpoint(ctx, i, c, took); err != nil {
			return 0, r.fail(i, w, attempt, took, err)
		}
	}
	r.results[i] = c
	r.computed.Add(1)
	if r.events {
		e := r.thunkEvent(ThunkFinished, i)
		e.Worker, e.Attempt, e.Duration = w, attempt, took
		r.s.emit(e)
	}
	if !required {
		_ = r.checkpoint(ctx, i, c, took) // in the background; reports its own outcome
	}
	return 0, nil
}

func (r *runner) fail(i int32, w, attempt int, took time.Duration, err error) error {
	t := r.g.thunks[i]
	if ctxErr := r.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return err // cancellation, not a failure of the thunk
	}
	fe := &ThunkFailedError{Thunk: t, Name: t.Name(), CallSite: t.CallSite(), Attempts: attempt, Err: err}
	r.failed.Add(1)
	r.s.logger.Error("cairn: thunk failed", "run", r.id, "thunk", t.Name(), "id", t.id,
		"site", fe.CallSite, "attempt", attempt, "err", err)
	if r.events {
		e := r.thunkEvent(ThunkFailed, i)
		e.Worker, e.Attempt, e.Duration, e.Err = w, attempt, took, fe
		r.s.emit(e)
	}
	return fe
}

// retry decides whether a failed attempt is run again, and after how long.
func (r *runner) retry(t *Thunk, attempt int, err error) (time.Duration, bool) {
	if t.opts == nil || attempt > t.opts.Retries || !errors.Is(err, ErrRetryable) || r.ctx.Err() != nil {
		return 0, false
	}
	d := t.opts.Backoff
	if d <= 0 {
		d = 100 * time.Millisecond
	}
	for k := 1; k < attempt && d < time.Minute; k++ {
		d *= 2
	}
	return min(d, time.Minute), true
}

// isNothing reports whether a restore error means "nothing to restore".
func isNothing(err error) bool {
	return errors.Is(err, ErrNoCheckpoint) || errors.Is(err, fs.ErrNotExist)
}

func (r *runner) logWarn(msg string, i int32, err error) {
	t := r.g.thunks[i]
	r.s.logger.LogAttrs(r.ctx, slog.LevelWarn, msg, slog.Uint64("run", r.id),
		slog.String("thunk", t.Name()), slog.Uint64("id", t.id), slog.String("key", r.key(i)),
		slog.Any("err", err))
}
