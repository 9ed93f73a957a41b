package runner

import (
	"context"
	"log/slog"
	"time"

	"github.com/cairnlabs/cairn/exec"
)

// restoreFinal asks RunOptions.Restore for the final result.
func (s *Scheduler) restoreFinal(ctx context.Context, id uint64, o RunOptions) (c exec.Chunk, ok bool) {
	start := time.Now()
	func() {
		defer func() {
			if p := recover(); p != nil {
				c = nil
				s.reportFinal(ctx, RestoreFailed, id, o, start, &exec.PanicError{Value: p})
			}
		}()
		var err error
		c, err = o.Restore(ctx)
		if err == nil && isNilChunk(c) {
			c = nil
		}
		switch {
		case err == nil && c != nil:
			s.reportFinal(ctx, Restored, id, o, start, nil)
		case err == nil || IsNothing(err):
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
func (s *Scheduler) checkpointFinal(ctx context.Context, id uint64, o RunOptions, c exec.Chunk) (err error) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = &exec.PanicError{Value: p}
		}
		if err != nil {
			s.reportFinal(ctx, CheckpointFailed, id, o, start, err)
			if !o.CheckpointRequired {
				err = nil
			}
			return
		}
		s.reportFinal(ctx, Checkpointed, id, o, start, nil)
	}()
	return o.Checkpoint(ctx, c)
}

func (s *Scheduler) reportFinal(ctx context.Context, k Kind, id uint64, o RunOptions, start time.Time, err error) {
	if err != nil {
		msg := "cairn: final result checkpoint failed"
		if k == RestoreFailed {
			msg = "cairn: final result restore failed; computing"
		}
		s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, msg,
			slog.Uint64("run", id), slog.String("name", o.Name), slog.Any("err", err))
	}
	if s.cfg.Sink != nil {
		s.cfg.Sink(&Event{Kind: k, Time: time.Now(), Run: id, RunName: o.Name, Duration: time.Since(start), Err: err})
	}
}
