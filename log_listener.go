package cairn

import (
	"context"
	"errors"
	"log/slog"
)

// NewLogListener returns a Listener that writes a structured line to l for
// every event: debug for the life of each thunk (scheduled, started,
// finished, restored, checkpointed, pruned, skipped), info for the start and
// end of each run (with its counts), warn for a retry or a failed restore
// or checkpoint, and error for a failed thunk or run. Each line carries the
// attributes that the event knows: run, run_name, thunk, id, key (when the
// thunk's checkpoint key has been computed), worker, attempt, duration,
// bytes and err.
//
// The Scheduler already logs failures to Config.Logger; give NewLogListener
// a logger at debug level for a full trace, or the same logger as
// Config.Logger only if the failure lines may appear twice. A nil l means
// slog.Default().
//
//	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
//	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{cairn.NewLogListener(log)}})
func NewLogListener(l *slog.Logger) Listener {
	if l == nil {
		l = slog.Default()
	}
	return &logListener{l: l}
}

type logListener struct{ l *slog.Logger }

// logLevel is the level of an event's line.
func logLevel(e Event) slog.Level {
	switch e.Kind {
	case RunStarted:
		return slog.LevelInfo
	case RunFinished:
		switch {
		case e.Err == nil:
			return slog.LevelInfo
		case errors.Is(e.Err, context.Canceled), errors.Is(e.Err, context.DeadlineExceeded), errors.Is(e.Err, ErrClosed):
			return slog.LevelWarn
		}
		return slog.LevelError
	case ThunkFailed:
		return slog.LevelError
	case ThunkRetrying, RestoreFailed, CheckpointFailed, ThunkLost:
		return slog.LevelWarn
	case ThunkRestored, ThunkCheckpointed:
		if e.Thunk == nil {
			return slog.LevelInfo // the final result of a run
		}
	}
	return slog.LevelDebug
}

var logMessages = [...]string{"", "cairn: run started", "cairn: run finished", "cairn: thunk scheduled",
	"cairn: thunk started", "cairn: thunk finished", "cairn: thunk failed", "cairn: thunk retrying",
	"cairn: thunk skipped", "cairn: thunk pruned", "cairn: thunk restored", "cairn: nothing to restore",
	"cairn: restore failed", "cairn: thunk checkpointed", "cairn: checkpoint failed", "cairn: thunk lost; running it again"}

// OnEvent writes e's line.
func (ll *logListener) OnEvent(e Event) {
	ctx := context.Background()
	level := logLevel(e)
	if !ll.l.Enabled(ctx, level) {
		return
	}
	msg := "cairn: " + e.Kind.String()
	if int(e.Kind) < len(logMessages) && e.Kind > 0 {
		msg = logMessages[e.Kind]
	}
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs, slog.Uint64("run", e.Run))
	if e.RunName != "" {
		attrs = append(attrs, slog.String("run_name", e.RunName))
	}
	if t := e.Thunk; t != nil {
		attrs = append(attrs, slog.String("thunk", t.Name()), slog.Uint64("id", t.ID()))
		if k, ok := t.n.CachedKey(); ok {
			attrs = append(attrs, slog.String("key", k)) // only if known: never hash here
		}
	} else if e.Kind != RunStarted && e.Kind != RunFinished {
		attrs = append(attrs, slog.String("thunk", "final result"))
	}
	switch e.Kind {
	case ThunkStarted, ThunkFinished, ThunkFailed, ThunkRetrying, ThunkLost:
		attrs = append(attrs, slog.Int("slot", e.Slot))
		if e.Worker != "" {
			attrs = append(attrs, slog.String("worker", e.Worker))
		}
		if e.Attempt > 1 || e.Kind == ThunkFailed || e.Kind == ThunkRetrying {
			attrs = append(attrs, slog.Int("attempt", e.Attempt))
		}
	case RunStarted:
		if e.Thunks != nil {
			attrs = append(attrs, slog.Int("thunks", len(e.Thunks)))
		}
	}
	if e.Duration != 0 {
		attrs = append(attrs, slog.Duration("duration", e.Duration))
	}
	if e.Bytes != 0 {
		attrs = append(attrs, slog.Int64("bytes", e.Bytes))
	}
	if st := e.Stats; st != nil {
		attrs = append(attrs, slog.Group("stats",
			slog.Int("thunks", st.Thunks), slog.Int("computed", st.Computed), slog.Int("restored", st.Restored),
			slog.Int("pruned", st.Pruned), slog.Int("failed", st.Failed), slog.Int("skipped", st.Skipped),
			slog.Int("checkpointed", st.Checkpointed), slog.Int("checkpoint_failed", st.CheckpointFailed),
			slog.Int("restore_failed", st.RestoreFailed), slog.Int("lost", st.Lost), slog.Int("recomputed", st.Recomputed),
			slog.Int64("bytes_written", st.BytesWritten),
			slog.Int64("bytes_read", st.BytesRead), slog.Bool("final_restored", st.FinalRestored)))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.Any("err", e.Err))
	}
	ll.l.LogAttrs(ctx, level, msg, attrs...)
}
