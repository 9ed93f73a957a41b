package cairn

import "context"

// Spawn starts computing t on s at once, in the background, and returns t
// (Dagger's @spawn). The spawned thunk keeps its result: Wait or Fetch it,
// or pass it to Delayed as an argument of further thunks, which then wait
// for it instead of computing it again. Spawning a thunk twice is the same
// as spawning it once. The work stops if ctx is cancelled or s is closed.
func Spawn(ctx context.Context, s *Scheduler, t *Thunk) *Thunk {
	if t == nil {
		return nil
	}
	if s == nil {
		s = closedScheduler
	}
	s.r.Spawn(ctx, &t.n)
	return t
}

// closedScheduler stands for a nil *Scheduler in Spawn: spawning on it
// fails with ErrClosed.
var closedScheduler = func() *Scheduler {
	s := New(&Config{Parallelism: 1})
	s.Close()
	return s
}()

// Wait blocks until a spawned thunk has finished, and returns its result.
// It returns ErrNotSpawned for a thunk that was not passed to Spawn, and
// ctx's error if ctx is done first.
func (t *Thunk) Wait(ctx context.Context) (Chunk, error) {
	c, err := t.n.Wait(ctx)
	if err != nil {
		return nil, err
	}
	return c, nil
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
