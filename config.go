package cairn

import (
	"log/slog"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
)

// Config configures a Scheduler. A nil *Config, and every zero field, means
// the default given with the field.
type Config struct {
	// Parallelism is how many thunks run at once on the local executor.
	// Default: runtime.GOMAXPROCS(0). Ignored when Executor is set.
	Parallelism int
	// Executor runs the tasks. Default: Local(Parallelism).
	Executor Executor

	// Checkpoints, if set, checkpoints every thunk with a stable key (its
	// function is registered or a named function, and its inputs can be
	// hashed) and restores them on later runs. Thunks can opt out with
	// Options.NoCheckpoint.
	Checkpoints *checkpoint.Store
	// CheckpointMinDuration skips storing results of thunks that ran for
	// less than this: cheap work is recomputed rather than stored. Default 0:
	// store all.
	CheckpointMinDuration time.Duration
	// CheckpointConcurrency bounds checkpoint writes in flight; a thunk that
	// finishes while all are busy waits, which bounds the memory held for
	// checkpoints. Default 8.
	CheckpointConcurrency int
	// RestoreConcurrency bounds restores in flight per run. Default 16.
	RestoreConcurrency int

	// Listeners receive every event.
	Listeners []Listener
	// Logger receives a structured line for each restore or checkpoint
	// failure and each failed thunk. Default: slog.Default().
	Logger *slog.Logger
}
