package cairn

import (
	"context"
	"fmt"
)

// spawnState is the eager run of a spawned thunk.
type spawnState struct {
	done  chan struct{}
	chunk Chunk
	err   error
}

// Spawn starts computing t on s at once, in the background, and returns t
// (Dagger's @spawn). The spawned thunk keeps its result: Wait or Fetch it,
// or pass it to Delayed as an argument of further thunks, which then wait
// for it instead of computing it again. Spawning a thunk twice is the same
// as spawning it once. The work stops if ctx is cancelled or s is closed.
func Spawn(ctx context.Context, s *Scheduler, t *Thunk) *Thunk {
	if t == nil {
		return nil
	}
	st := &spawnState{done: make(chan struct{})}
	if !t.spawn.CompareAndSwap(nil, st) {
		return t
	}
	if s == nil || s.closed.Load() {
		st.err = ErrClosed
		close(st.done)
		return t
	}
	started := s.goBackground(func() {
		cs, err := s.compute(ctx, []*Thunk{t}, RunOptions{Name: "spawn " + t.Name()}, t)
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
	return t
}

// Wait blocks until a spawned thunk has finished, and returns its result.
// It returns ErrNotSpawned for a thunk that was not passed to Spawn, and
// ctx's error if ctx is done first.
func (t *Thunk) Wait(ctx context.Context) (Chunk, error) {
	st := t.spawn.Load()
	if st == nil {
		return nil, fmt.Errorf("%w: %s (use Compute or Collect, or Spawn it first)", ErrNotSpawned, t)
	}
	select {
	case <-st.done:
		return st.chunk, st.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Fetch waits for a spawned thunk and returns its value as a T (Dagger's
// fetch).
func Fetch[T any](ctx context.Context, t *Thunk) (T, error) {
	c, err := t.Wait(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return Value[T](ctx, c)
}
