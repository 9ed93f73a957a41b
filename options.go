package cairn

import (
	"context"
	"time"

	"github.com/cairnlabs/cairn/exec"
	"github.com/cairnlabs/cairn/internal/runner"
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

	// Retries is how many times a failed thunk is run again before it
	// fails, if RetryIf accepts its error. Default 0.
	Retries int
	// RetryIf decides which errors are retried. Default (nil): errors
	// marked with Retryable. To retry every error:
	// func(error) bool { return true }.
	RetryIf func(err error) bool
	// Backoff is the wait before the first retry; each further retry waits
	// twice as long, up to a minute. Default 100ms.
	Backoff time.Duration
	// Timeout bounds one attempt of the thunk: its context's deadline. A
	// function that ignores its context is reported as timed out when the
	// time is up (the error matches context.DeadlineExceeded; RetryIf may
	// retry it) and its result is discarded when it returns. Default 0: no
	// limit.
	Timeout time.Duration

	// Restore, if set, is asked for the thunk's value before the thunk
	// would run. A non-nil Chunk is the result: the function does not run
	// and Checkpoint is not called. A nil Chunk, or an error matching
	// ErrNoCheckpoint or fs.ErrNotExist, means there is nothing to restore
	// and the thunk runs quietly. Any other error is reported (an event and
	// a log line naming the thunk) and the thunk runs. Hooks run in this
	// process, with a cluster executor too.
	Restore func(ctx context.Context, t *Thunk) (Chunk, error)
	// Checkpoint, if set, is called with the thunk's result after it
	// succeeds (never after it fails, and never for a restored value). Its
	// error is reported and the run goes on, unless CheckpointRequired.
	// Checkpoints run off the scheduler's critical path; Collect returns
	// once they have all returned. The hook runs in this process: with a
	// cluster executor, reading the result fetches it from its worker
	// (Config.Checkpoints keeps the data on the workers).
	Checkpoint func(ctx context.Context, t *Thunk, result Chunk) error
	// CheckpointRequired makes a failing checkpoint fail the thunk. The
	// checkpoint is then written before dependents run.
	CheckpointRequired bool

	// Key, if set, is the thunk's checkpoint key in Config.Checkpoints,
	// instead of the automatic one (a hash of the function's name and
	// version and of the inputs). It must be a valid key
	// (checkpoint.ValidateKey): an invalid one is a *BuildError.
	Key string
	// NoCheckpoint keeps Config.Checkpoints from storing or restoring this
	// thunk. Its own Restore and Checkpoint hooks still apply.
	NoCheckpoint bool
	// CallSite, if set, is reported as where the thunk was made (in
	// Thunk.CallSite, errors, events and the dashboard) instead of the line
	// that called the thunk maker: for libraries that make thunks for their
	// callers, such as darray, which reports the caller's line
	// ("seed/main.go:42").
	CallSite string
}

// internal returns the runner's form of the options.
func (o Options) internal() *runner.Opts {
	ro := &runner.Opts{Name: o.Name, Priority: o.Priority, Retries: o.Retries, Backoff: o.Backoff,
		RetryIf: o.RetryIf, Timeout: o.Timeout, CheckpointRequired: o.CheckpointRequired,
		Key: o.Key, NoCheckpoint: o.NoCheckpoint, Owner: o}
	if restore := o.Restore; restore != nil {
		ro.Restore = func(ctx context.Context, owner any) (exec.Chunk, error) {
			c, err := restore(ctx, owner.(*Thunk))
			if c == nil {
				return nil, err
			}
			return c, err
		}
	}
	if ckpt := o.Checkpoint; ckpt != nil {
		ro.Checkpoint = func(ctx context.Context, owner any, c exec.Chunk) error {
			return ckpt(ctx, owner.(*Thunk), c)
		}
	}
	return ro
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

// internal returns the runner's form of the options.
func (o RunOptions) internal() runner.RunOptions {
	ro := runner.RunOptions{CheckpointRequired: o.CheckpointRequired, KeepGoing: o.KeepGoing, Name: o.Name}
	if restore := o.Restore; restore != nil {
		ro.Restore = func(ctx context.Context) (exec.Chunk, error) {
			c, err := restore(ctx)
			if c == nil {
				return nil, err
			}
			return c, err
		}
	}
	if ckpt := o.Checkpoint; ckpt != nil {
		ro.Checkpoint = func(ctx context.Context, c exec.Chunk) error { return ckpt(ctx, c) }
	}
	return ro
}
