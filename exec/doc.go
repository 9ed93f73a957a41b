// Package exec is the contract between cairn's scheduler and the executors
// that run its tasks: the local goroutine pool (cairn.Local) and the
// cluster executor (package cluster) implement it, and so can others.
// Users of cairn do not need this package; executor authors do, as driver
// authors need database/sql/driver.
//
// The scheduler holds the graph, the checkpoint keys and references to
// results; an executor holds the results themselves. A Task names its
// function by registered name and version and carries its arguments as
// Chunks: values held here, or Remote references to values that live
// where they were made. A Task may also carry a CheckpointRequest, which an
// executor that holds the result fulfils where the result lives; an
// executor that implements Restorer restores checkpoints where the data
// will be used. Either way the scheduler learns only the outcome and the
// size.
//
// Errors are in two families. A task that ran and failed (its function
// returned an error or panicked) fails the run. A task that was lost (the
// worker running it is gone, or an input it needed was held only by a
// worker that is gone) is run again elsewhere: executors report that with
// a *LostError, which matches ErrLost.
package exec
