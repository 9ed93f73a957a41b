package cairn

import (
	"context"
	"time"
)

// Options configure one thunk (Dagger's ThunkOptions). The zero value is
// valid: an unnamed thunk with no retries and no checkpoint hooks of its
// own.
type Options struct {
	// Name labels the thunk in errors, logs, events and the dashboard.
	// Default: the function's name.
	Name string

	// Priority orders ready thunks: a higher priority runs first. Default 0.
	Priority int

	// Retries is how many times a thunk whose error is marked retryable
	// (see Retryable) is run again before it fails. Default 0.
	Retries int
	// Backoff is the wait before the first retry; each further retry waits
	// twice as long, up to a minute. Default 100ms.
	Backoff time.Duration

	// Restore, if set, is asked for the thunk's value before the thunk
	// would run. A non-nil Chunk is the result: the function does not run
	// and Checkpoint is not called. A nil Chunk, or an error matching
	// ErrNoCheckpoint or fs.ErrNotExist, means there is nothing to restore
	// and the thunk runs quietly. Any other error is reported (an event and
	// a log line naming the thunk) and the thunk runs.
	Restore func(ctx context.Context, t *Thunk) (Chunk, error)
	// Checkpoint, if set, is called with the thunk's result after it
	// succeeds (never after it fails, and never for a restored value). Its
	// error is reported and the run goes on, unless CheckpointRequired.
	// Checkpoints run off the scheduler's critical path; Collect returns
	// once they have all returned.
	Checkpoint func(ctx context.Context, t *Thunk, result Chunk) error
	// CheckpointRequired makes a failing checkpoint fail the thunk. The
	// checkpoint is then written before dependents run.
	CheckpointRequired bool

	// Key, if set, is the thunk's checkpoint key in Config.Checkpoints,
	// instead of the automatic one (a hash of the function's name and
	// version and of the inputs).
	Key string
	// NoCheckpoint keeps Config.Checkpoints from storing or restoring this
	// thunk. Its own Restore and Checkpoint hooks still apply.
	NoCheckpoint bool
}

// RunOptions configure one Compute or Collect (Dagger's SchedulerOptions).
type RunOptions struct {
	// Restore, if set, is asked for the final result before anything runs:
	// a non-nil Chunk is returned at once and the graph is skipped. The
	// "nothing" rules are those of Options.Restore.
	Restore func(ctx context.Context) (Chunk, error)
	// Checkpoint, if set, is called with the final result after the graph
	// succeeds, and not when Restore provided the result. Its error is
	// reported and the result still returned, unless CheckpointRequired.
	Checkpoint func(ctx context.Context, result Chunk) error
	// CheckpointRequired makes a failing final checkpoint fail the call.
	CheckpointRequired bool

	// KeepGoing runs all work that does not depend on a failed thunk
	// before returning the failure (make -k), so that more of the graph is
	// computed and checkpointed for the next run. By default the first
	// failure stops new work from starting; work already running finishes
	// and is checkpointed.
	KeepGoing bool

	// Name labels the run in events and logs.
	Name string

	// Stats, if not nil, receives what the run did: thunks computed,
	// restored, pruned, failed, checkpointed, bytes moved, time taken.
	Stats *RunStats
}
