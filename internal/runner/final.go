package runner

import (
	"context"
	"log/slog"
	"time"

	"github.com/cairnlabs/cairn/exec"
)

// restoreFinal asks RunOptions.Restore for the final result. Its event, if
// any, is returned for the caller to send after the run's RunStarted.
func (s *Scheduler) restoreFinal(ctx context.Context, id uint64, o RunOptions) (c exec.Chunk, ev *Event, ok bool) {
	start := time.Now()
	func() {
		defer func() {
			if p := recover(); p != nil {
				c = nil
				ev = s.reportFinal(ctx, RestoreFailed, id, o, start, &exec.PanicError{Value: p})
			}
		}()
		var err error
		c, err = o.Restore(ctx)
		if err == nil && isNilChunk(c) {
			c = nil
		}
		switch {
		case err == nil && c != nil:
			ev = s.reportFinal(ctx, Restored, id, o, start, nil)
		case err == nil || IsNothing(err):
			c = nil
		default:
			c = nil
			ev = s.reportFinal(ctx, RestoreFailed, id, o, start, err)
		}
	}()
	return c, ev, c != nil
}

// checkpointFinal calls RunOptions.Checkpoint and reports whether it
// succeeded; its error is returned only if the checkpoint is required.
func (s *Scheduler) checkpointFinal(ctx context.Context, id uint64, o RunOptions, c exec.Chunk) (ok bool, err error) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = &exec.PanicError{Value: p}
		}
		ok = err == nil
		if err != nil {
			s.send(s.reportFinal(ctx, CheckpointFailed, id, o, start, err))
			if !o.CheckpointRequired {
				err = nil
			}
			return
		}
		s.send(s.reportFinal(ctx, Checkpointed, id, o, start, nil))
	}()
	return false, o.Checkpoint(ctx, c)
}

// reportFinal logs a final-result failure and returns its event (nil
// without listeners).
func (s *Scheduler) reportFinal(ctx context.Context, k Kind, id uint64, o RunOptions, start time.Time, err error) *Event {
	if err != nil {
		msg := "cairn: final result checkpoint failed"
		if k == RestoreFailed {
			msg = "cairn: final result restore failed; computing"
		}
		s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, msg,
			slog.Uint64("run", id), slog.String("name", o.Name), slog.Any("err", err))
	}
	if s.cfg.Sink == nil {
		return nil
	}
	return &Event{Kind: k, Time: time.Now(), Run: id, RunName: o.Name, Duration: time.Since(start), Err: err}
}

// send gives an event to the sink, if there is one.
func (s *Scheduler) send(e *Event) {
	if e != nil && s.cfg.Sink != nil {
		s.cfg.Sink(e)
	}
}
