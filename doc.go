// Package cairn builds lazy task graphs, runs them in parallel on every
// core of this machine (and, with a cluster executor, across processes and
// machines), and checkpoints intermediate results, so that a computation
// that fails or dies resumes from what it already computed instead of
// starting over. It follows Dagger.jl's checkpointing, in Go.
//
// # Graphs
//
// Delayed wraps a Go function; calling the result with arguments makes a
// *Thunk, a lazy call. Arguments may be plain values, other thunks (the
// graph's edges) or Chunks (computed values). Compute and Collect run what a
// thunk needs; Spawn starts a thunk at once and keeps its result.
//
//	s := cairn.New(nil)
//	defer s.Close()
//	ys := make([]*cairn.Thunk, len(blocks))
//	for i, b := range blocks {
//		ys[i] = cairn.Delayed(sum)(b)
//	}
//	z, err := cairn.Collect[float64](ctx, s, cairn.Delayed(inner)(cairn.Args(ys)...))
//
// Functions may take a context.Context first, may be variadic, and return a
// value and optionally an error. Argument mistakes are found as the graph is
// built and returned by Compute as a *BuildError naming the thunk and its
// line. A thunk that returns an error or panics fails its dependents, and
// Compute returns a *ThunkFailedError (errors.As) naming it.
//
// # Checkpoints
//
// The contract, point by point (the tests pin each):
//
//  1. A thunk with Options.Restore is restored before it would run. A Chunk
//     back is the result: the function does not run and its Checkpoint is
//     not called. Nothing back (a nil Chunk, ErrNoCheckpoint or
//     fs.ErrNotExist) runs it quietly. Any other error is reported (an
//     event and a log line) and the thunk runs: a failed restore never
//     fails the run.
//  2. After a thunk succeeds, Options.Checkpoint gets its result. A failing
//     checkpoint is reported and the run goes on, unless CheckpointRequired.
//     A failed thunk is never checkpointed.
//  3. Work already running when a thunk fails finishes and is checkpointed.
//  4. RunOptions.Restore and Checkpoint do the same for the final result of
//     a Compute or Collect: a restored result skips the whole graph.
//  5. Restore is demand-driven: a thunk whose every consumer was restored is
//     neither restored nor run (it is pruned).
//  6. Checkpoints are written off the scheduler's critical path, a bounded
//     number at once, and Compute returns once all of its run's checkpoints
//     are written or reported failed.
//  7. With Config.Checkpoints set to a checkpoint.Store, every thunk with a
//     stable key is checkpointed automatically: its key hashes its function's
//     registered name and version and its inputs (a Merkle chain), so
//     changing an input or a version recomputes exactly what depends on it.
//  8. Stored checkpoints are framed, checksummed and written atomically; a
//     torn or corrupt one is reported and recomputed, never returned.
//
// # Distribution
//
// Tasks name their function (Register gives it a stable name) and carry
// their arguments as Chunks, and an Executor decides where they run: the
// default runs them on local goroutines, and nothing in the scheduler
// assumes the executor shares its memory.
package cairn
