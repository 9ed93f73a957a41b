package cairn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cairnlabs/cairn/internal/sched"
)

// Compute runs the graph that t needs and returns t's result as a Chunk
// (Dagger's compute). What each thunk's options ask is honoured: restores
// first, demand-driven; checkpoints after success. Compute returns once
// every checkpoint of the run has been written or reported failed.
//
// Errors: a *BuildError if a thunk cannot run as written; the first
// *ThunkFailedError (use errors.As) if a thunk fails, after work already
// running has finished; ctx's error, promptly, if ctx is cancelled;
// ErrClosed after Close.
//
// Each call runs the graph afresh: use Spawn, or pass the returned Chunk to
// further thunks, to reuse a value.
//
// A thunk's function must not call Compute or Collect on the scheduler
// running it and wait for the result: it holds one of the scheduler's slots
// while it waits, and once every slot is held so, nothing can run. Build the
// whole graph first, or use a second Scheduler for nested work.
func Compute(ctx context.Context, s *Scheduler, t *Thunk, opts ...RunOptions) (Chunk, error) {
	cs, err := s.compute(ctx, []*Thunk{t}, runOpts(opts), nil)
	if err != nil {
		return nil, err
	}
	return cs[0], nil
}

// ComputeAll is Compute for several targets in one run: shared
// dependencies run once. The chunks come back in the targets' order.
// RunOptions.Restore and Checkpoint apply to single-target runs only.
func ComputeAll(ctx context.Context, s *Scheduler, ts []*Thunk, opts ...RunOptions) ([]Chunk, error) {
	return s.compute(ctx, ts, runOpts(opts), nil)
}

// Collect runs t like Compute and returns its value as a T (Dagger's
// collect).
//
//	z, err := cairn.Collect[float64](ctx, s, Z)
func Collect[T any](ctx context.Context, s *Scheduler, t *Thunk, opts ...RunOptions) (T, error) {
	c, err := Compute(ctx, s, t, opts...)
	if err != nil {
		var zero T
		return zero, err
	}
	return Value[T](ctx, c)
}

func runOpts(opts []RunOptions) RunOptions {
	if len(opts) > 0 {
		return opts[0]
	}
	return RunOptions{}
}

func (s *Scheduler) compute(ctx context.Context, targets []*Thunk, o RunOptions, self *Thunk) ([]Chunk, error) {
	if s == nil {
		return nil, errors.New("cairn: nil *Scheduler: make one with cairn.New")
	}
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if len(targets) == 0 {
		return nil, errors.New("cairn: nothing to compute: no thunks given")
	}
	for i, t := range targets {
		if t == nil {
			return nil, fmt.Errorf("cairn: target %d is a nil *Thunk", i)
		}
	}
	if (o.Restore != nil || o.Checkpoint != nil) && len(targets) != 1 {
		return nil, errors.New("cairn: RunOptions.Restore and Checkpoint need a single target: use Compute")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id := s.runs.Add(1)
	start := time.Now()
	events := len(s.listeners) > 0
	if o.Restore != nil {
		if c, ok := s.restoreFinal(ctx, id, o); ok {
			st := &RunStats{FinalRestored: true, Duration: time.Since(start)}
			if o.Stats != nil {
				*o.Stats = *st
			}
			if events {
				s.emit(Event{Kind: RunStarted, Time: start, Run: id, RunName: o.Name})
				s.emit(Event{Kind: RunFinished, Time: time.Now(), Run: id, RunName: o.Name, Duration: st.Duration, Stats: st})
			}
			return []Chunk{c}, nil
		}
	}
	g, err := compile(targets, self)
	if err != nil {
		return nil, err
	}
	r := &runner{s: s, id: id, runID: newRunID(), name: o.Name, ctx: ctx, g: g, events: events,
		results: make([]Chunk, len(g.thunks)), attempt: make([]int32, len(g.thunks))}
	if s.cfg.Checkpoints != nil {
		r.keys = computeKeys(g, s.logger)
	}
	r.markRestorable()
	g.spec.KeepGoing = o.KeepGoing
	if events {
		s.emit(Event{Kind: RunStarted, Time: start, Run: id, RunName: o.Name, Thunks: g.thunks})
	}
	run, err := s.engine.Start(ctx, &g.spec, r)
	if errors.Is(err, sched.ErrClosed) {
		return nil, ErrClosed
	} else if err != nil {
		return nil, err
	}
	r.run = run
	err = run.Wait()
	if errors.Is(err, sched.ErrClosed) {
		err = ErrClosed
	}
	if err == nil || ctx.Err() == nil {
		// Collect returns only once this run's checkpoints are durable or
		// reported failed. A cancelled run returns at once; Close waits.
		r.ckpts.Wait()
	}
	if st := s.cfg.Checkpoints; st != nil && r.keys != nil {
		// What the run read, and that it ended, for garbage collection of
		// unused checkpoints: bookkeeping, written in the background once
		// the run's checkpoints are; Close waits for it.
		end := func() {
			r.ckpts.Wait()
			st.EndRun(context.WithoutCancel(ctx), r.runID)
		}
		if !s.goBackground(end) {
			end()
		}
	}
	var out []Chunk
	if err == nil {
		out = make([]Chunk, len(targets))
		for i, t := range targets {
			out[i] = r.results[g.index[t]]
		}
		if o.Checkpoint != nil {
			err = s.checkpointFinal(ctx, id, o, out[0])
		}
	}
	st := r.stats(time.Since(start))
	if o.Stats != nil {
		*o.Stats = *st
	}
	if events {
		s.emit(Event{Kind: RunFinished, Time: time.Now(), Run: id, RunName: o.Name, Duration: st.Duration, Err: err, Stats: st})
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// markRestorable tells the engine which nodes to restore before running.
func (r *runner) markRestorable() {
	var mark []bool
	for i := range r.g.thunks {
		if r.restorable(int32(i)) {
			if mark == nil {
				mark = make([]bool, len(r.g.thunks))
			}
			mark[i] = true
		}
	}
	r.g.spec.Restorable = mark
}

// stats sums up the run, and reports pruned and skipped thunks to listeners.
func (r *runner) stats(d time.Duration) *RunStats {
	st := &RunStats{
		Thunks: len(r.g.thunks), Computed: int(r.computed.Load()), Restored: int(r.restored.Load()),
		Failed: int(r.failed.Load()), Checkpointed: int(r.checkpointed.Load()),
		CheckpointFailed: int(r.ckptFailed.Load()), RestoreFailed: int(r.rstFailed.Load()),
		BytesWritten: r.bytesWritten.Load(), BytesRead: r.bytesRead.Load(), Duration: d,
	}
	for i, s := range r.run.States() {
		var k EventKind
		switch s {
		case sched.Unneeded:
			st.Pruned++
			k = ThunkPruned
		case sched.Skipped, sched.Waiting, sched.Queued, sched.Restoring:
			st.Skipped++
			k = ThunkSkipped
		default:
			continue
		}
		if r.events {
			r.s.emit(r.thunkEvent(k, int32(i)))
		}
	}
	return st
}

// restoreFinal asks RunOptions.Restore for the final result.
func (s *Scheduler) restoreFinal(ctx context.Context, id uint64, o RunOptions) (c Chunk, ok bool) {
	start := time.Now()
	func() {
		defer func() {
			if p := recover(); p != nil {
				c = nil
				s.reportFinal(ctx, RestoreFailed, id, o, start, &PanicError{Value: p})
			}
		}()
		var err error
		c, err = o.Restore(ctx)
		switch {
		case err == nil && c != nil:
			s.reportFinal(ctx, ThunkRestored, id, o, start, nil)
		case err == nil || isNothing(err):
			c = nil
		default:
			c = nil
			s.reportFinal(ctx, RestoreFailed, id, o, start, err)
		}
	}()
	return c, c != nil
}

// checkpointFinal calls RunOptions.Checkpoint; its error is returned only if
// the checkpoint is required.
func (s *Scheduler) checkpointFinal(ctx context.Context, id uint64, o RunOptions, c Chunk) (err error) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p}
		}
		if err != nil {
			s.reportFinal(ctx, CheckpointFailed, id, o, start, err)
			if !o.CheckpointRequired {
				err = nil
			}
			return
		}
		s.reportFinal(ctx, ThunkCheckpointed, id, o, start, nil)
	}()
	return o.Checkpoint(ctx, c)
}

func (s *Scheduler) reportFinal(ctx context.Context, k EventKind, id uint64, o RunOptions, start time.Time, err error) {
	if err != nil {
		msg := "cairn: final result checkpoint failed"
		if k == RestoreFailed {
			msg = "cairn: final result restore failed; computing"
		}
		s.logger.LogAttrs(ctx, slog.LevelWarn, msg,
			slog.Uint64("run", id), slog.String("name", o.Name), slog.Any("err", err))
	}
	if len(s.listeners) > 0 {
		s.emit(Event{Kind: k, Time: time.Now(), Run: id, RunName: o.Name, Duration: time.Since(start), Err: err})
	}
}
