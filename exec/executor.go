package exec

import (
	"context"
	"reflect"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
)

// Executor runs tasks. The scheduler calls Execute from at most Slots
// goroutines at once, each blocking until its task is done or lost; an
// executor that waits on the network reports more slots than it has cores,
// so that enough tasks are in flight.
//
// Lifecycle: an executor is ready when its constructor returns (the local
// one at once; a cluster one once it has started its server and workers),
// and the one who made it closes it, after the schedulers that use it. An
// executor whose capacity changes (workers joining and leaving) implements
// Elastic.
type Executor interface {
	// Slots reports how many tasks may run at once now.
	Slots() int
	// Execute runs t and returns its result. An error fails the task,
	// unless it matches ErrLost (see LostError): then the task is run again.
	Execute(ctx context.Context, t *Task) (Result, error)
}

// Elastic is implemented by executors whose number of slots changes while
// they run. The scheduler calls Watch once, and f with the new number of
// slots each time it changes, until stop is called. f must not block.
type Elastic interface {
	Watch(f func(slots int)) (stop func())
}

// Restorer is implemented by executors that restore checkpoints where the
// data will be used, rather than in the scheduler's process. The scheduler
// learns only whether a value was restored and how big it is.
type Restorer interface {
	// Restore reads req.Key from the store at req.Store and returns a
	// chunk of its value. A missing key is an error matching
	// checkpoint.ErrNotFound; a damaged one matches checkpoint.ErrCorrupt.
	Restore(ctx context.Context, req *RestoreRequest) (Result, error)
}

// Func is a task's function: registered under a stable name (and version)
// so that another process of the same binary can find it.
type Func interface {
	// Name is the registered name (or, for a function that was not
	// registered, its Go symbol; such a task cannot run elsewhere).
	Name() string
	// Version is the registered version, or "".
	Version() string
	// Registered reports whether the function was registered by name,
	// and so can be looked up in another process (cairn.Lookup).
	Registered() bool
	// ResultType is the Go type of the function's value result (nil if it
	// returns only an error).
	ResultType() reflect.Type
	// Call calls the function in this process with argument values, in
	// order. It converts each value to its parameter's type (a List's
	// []any or map[any]any to the slice, array or map the function takes),
	// gathers variadic arguments, and turns a panic into a *PanicError.
	Call(ctx context.Context, args []any) (any, error)
}

// Task is one execution of a thunk, as handed to an executor.
type Task struct {
	// ID identifies the thunk within the scheduler's process; Name labels
	// it for people.
	ID   uint64
	Name string
	// Func is the function to call.
	Func Func
	// Args are the arguments in order: a thunk argument is the chunk its
	// thunk produced, a literal is a *ValueChunk, a slice or map of thunks
	// is a *List.
	Args []Chunk
	// Key is the thunk's key (its lineage: function, version, inputs), if
	// it has one. Results should carry it (Keyed), so that thunks taking
	// them are keyed without fetching them.
	Key string
	// Checkpoint, if not nil, asks for the result to be checkpointed. An
	// executor that holds results elsewhere fulfils it where the result
	// lives and reports the outcome in Result.Checkpoint; one that leaves
	// Result.Checkpoint nil lets the scheduler write it from the chunk's
	// value.
	Checkpoint *CheckpointRequest
	// Attempt counts runs of the thunk from 1 (lost runs included).
	Attempt int
	// Slot is the scheduler slot the task runs in.
	Slot int
}

// CheckpointRequest asks an executor to checkpoint a task's result.
type CheckpointRequest struct {
	// Store is the URL of the checkpoint store (checkpoint.Open), the same
	// for every process of a cluster.
	Store string
	// Key is where to put the value; Meta describes it.
	Key  string
	Meta checkpoint.Meta
	// MinDuration: results of functions that ran for less are not stored.
	MinDuration time.Duration
	// Required: the result is not returned until the checkpoint is
	// written, and a failed checkpoint fails the task.
	Required bool
	// Standalone asks for an entry of its own in the store (see
	// checkpoint.WithStandalone): the scheduler asks it for a run's single
	// target, which a rerun restores first.
	Standalone bool
}

// CheckpointOutcome reports a checkpoint an executor wrote (or not).
type CheckpointOutcome struct {
	// Bytes written, and how long the write took.
	Bytes    int64
	Duration time.Duration
	// Skipped is true when nothing was written on purpose (the function
	// ran for less than MinDuration).
	Skipped bool
	// Err is why the checkpoint failed.
	Err error
}

// RestoreRequest asks a Restorer for a checkpointed value.
type RestoreRequest struct {
	// ID and Name identify the thunk, as in Task.
	ID   uint64
	Name string
	// Func is the thunk's function: its ResultType is the type to decode.
	Func Func
	// Store is the checkpoint store's URL; Key the entry to read.
	Store string
	Key   string
	// Run names the run, for the store's bookkeeping of reads
	// (checkpoint.WithRun).
	Run string
}

// Result is what an executor returns for a task or a restore.
type Result struct {
	// Chunk is the result: a *ValueChunk, or a Remote reference.
	Chunk Chunk
	// Worker names where the task ran ("" for this process).
	Worker string
	// Duration is how long the function ran where it ran (0: the
	// scheduler times the call itself).
	Duration time.Duration
	// Bytes is the result's encoded size, where known.
	Bytes int64
	// Checkpoint, when the executor took on Task.Checkpoint, delivers its
	// outcome once (and may deliver it after Execute returned: the write
	// is off the critical path unless Required). Nil: the executor did not
	// take it on.
	Checkpoint <-chan CheckpointOutcome
}
