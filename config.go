package cairn

import (
	"log/slog"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/exec"
)

// Config configures a Scheduler. A nil *Config, and every zero field, means
// the default given with the field.
type Config struct {
	// Parallelism is how many thunks run at once on the local executor.
	// Default: runtime.GOMAXPROCS(0). Ignored when Executor is set.
	Parallelism int
	// Executor runs the tasks: Local(Parallelism) by default, or a cluster
	// executor (package cluster) to run them in worker processes. An
	// executor given here is the caller's: close it after the Scheduler.
	Executor exec.Executor

	// Checkpoints, if set, checkpoints every thunk with a stable key (its
	// function is registered or a named function, and its inputs can be
	// hashed) and restores them on later runs. Thunks can opt out with
	// Options.NoCheckpoint. With a cluster executor, the workers write and
	// read the checkpoints of the values they hold, in the store at
	// Checkpoints.URL().
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
	// LostRetries bounds how many times one thunk may be lost — its worker
	// died or left while running it — before the run fails with an error
	// naming it (a thunk that kills every worker it lands on). Default 3.
	LostRetries int

	// Listeners receive every event.
	Listeners []Listener
	// Logger, if set, receives a structured line for each failed thunk,
	// and for each restore or checkpoint that failed (those are not
	// returned: the run goes on). Default: failed thunks are not logged,
	// since Compute returns them; failed restores and checkpoints go to
	// slog.Default().
	Logger *slog.Logger
}
