package runner

import (
	"context"
	"fmt"

	"github.com/cairnlabs/cairn/exec"
)

// SpawnState is the eager run of a spawned node.
type SpawnState struct {
	done  chan struct{}
	chunk exec.Chunk
	err   error
}

// Spawn starts computing n on s in the background and reports whether this
// call spawned it (false: it was spawned before). See cairn.Spawn.
func (s *Scheduler) Spawn(ctx context.Context, n *Node) {
	st := &SpawnState{done: make(chan struct{})}
	if !n.spawn.CompareAndSwap(nil, st) {
		return
	}
	if s == nil || s.closed.Load() {
		st.err = ErrClosed
		close(st.done)
		return
	}
	started := s.goBackground(func() {
		cs, _, err := s.Compute(ctx, []*Node{n}, RunOptions{Name: "spawn " + n.Name()}, n)
		if err == nil {
			st.chunk = cs[0]
		}
		st.err = err
		close(st.done)
	})
	if !started {
		st.err = ErrClosed
		close(st.done)
	}
}

// Wait blocks until a spawned node has finished, and returns its result.
func (n *Node) Wait(ctx context.Context) (exec.Chunk, error) {
	st := n.spawn.Load()
	if st == nil {
		return nil, fmt.Errorf("%w: %s (use Compute or Collect, or Spawn it first)", ErrNotSpawned, n.Name())
	}
	select {
	case <-st.done:
		return st.chunk, st.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
