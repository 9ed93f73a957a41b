package cairn

import (
	"context"
	"errors"
	"fmt"

	"github.com/cairnlabs/cairn/exec"
	"github.com/cairnlabs/cairn/internal/runner"
)

// Compute runs the graph that t needs and returns t's result as a Chunk
// (Dagger's compute). What each thunk's options ask is honoured: restores
// first, demand-driven; checkpoints after success. Compute returns once
// every checkpoint of the run has been written or reported failed.
//
// Errors: a *BuildError if a thunk cannot run as written; the first
// *ThunkFailedError (use errors.As) if a thunk fails, after work already
// running has finished; ctx's error, promptly, if ctx is cancelled;
// ErrClosed after Close.
//
// Each call runs the graph afresh: use Spawn, or pass the returned Chunk to
// further thunks, to reuse a value. With a cluster executor the Chunk may
// live on a worker: its Value fetches it.
//
// A thunk's function must not call Compute or Collect on the scheduler
// running it and wait for the result: it holds one of the scheduler's slots
// while it waits, and once every slot is held so, nothing can run. Build the
// whole graph first, or use a second Scheduler for nested work.
func Compute(ctx context.Context, s *Scheduler, t *Thunk, opts ...RunOptions) (Chunk, error) {
	cs, err := s.compute(ctx, []*Thunk{t}, runOpts(opts), nil)
	if err != nil {
		return nil, err
	}
	return cs[0], nil
}

// ComputeAll is Compute for several targets in one run: shared
// dependencies run once. The chunks come back in the targets' order.
// RunOptions.Restore and Checkpoint apply to single-target runs only.
func ComputeAll(ctx context.Context, s *Scheduler, ts []*Thunk, opts ...RunOptions) ([]Chunk, error) {
	return s.compute(ctx, ts, runOpts(opts), nil)
}

// Collect runs t like Compute and returns its value as a T (Dagger's
// collect). A result held by a worker that is gone by the time it is
// fetched is computed again, once (what was checkpointed is restored).
//
//	z, err := cairn.Collect[float64](ctx, s, Z)
func Collect[T any](ctx context.Context, s *Scheduler, t *Thunk, opts ...RunOptions) (T, error) {
	var zero T
	for try := 0; ; try++ {
		c, err := Compute(ctx, s, t, opts...)
		if err != nil {
			return zero, err
		}
		v, err := Value[T](ctx, c)
		if err == nil {
			return v, nil
		}
		if errors.Is(err, exec.ErrLost) && try == 0 {
			continue
		}
		return zero, fmt.Errorf("cairn: Collect[%s] of thunk %q (made at %s): %w", typeName[T](), t.Name(), t.CallSite(), err)
	}
}

func typeName[T any]() string {
	var p *T
	return fmt.Sprintf("%T", p)[1:]
}

func runOpts(opts []RunOptions) RunOptions {
	if len(opts) > 0 {
		return opts[0]
	}
	return RunOptions{}
}

func (s *Scheduler) compute(ctx context.Context, targets []*Thunk, o RunOptions, self *Thunk) ([]Chunk, error) {
	if s == nil {
		return nil, errors.New("cairn: nil *Scheduler: make one with cairn.New")
	}
	nodes := make([]*runner.Node, len(targets))
	for i, t := range targets {
		if t == nil {
			return nil, fmt.Errorf("cairn: target %d is a nil *Thunk", i)
		}
		nodes[i] = &t.n
	}
	var selfNode *runner.Node
	if self != nil {
		selfNode = &self.n
	}
	cs, st, err := s.r.Compute(ctx, nodes, o.internal(), selfNode)
	if o.Stats != nil && st != nil {
		*o.Stats = RunStats(*st)
	}
	if err != nil {
		return nil, err
	}
	out := make([]Chunk, len(cs))
	for i, c := range cs {
		out[i] = c
	}
	return out, nil
}
