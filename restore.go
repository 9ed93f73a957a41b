package cairn

import (
	"fmt"
	"reflect"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/internal/sched"
)

// restorable reports whether node i should be restored before it runs: a
// spawned thunk (its value comes from its own run), a thunk with its own
// Restore hook, or one keyed in the scheduler's checkpoint store.
func (r *runner) restorable(i int32) bool {
	t := r.g.thunks[i]
	return r.g.external[i] || (t.opts != nil && t.opts.Restore != nil) || r.key(i) != ""
}

// Restore queues node i for a restore; at most RestoreConcurrency run at
// once per run.
func (r *runner) Restore(run *sched.Run, i int32) {
	if r.g.external[i] {
		if !r.s.goBackground(func() { r.awaitSpawn(run, i) }) {
			run.RestoreDone(i, false, ErrClosed)
		}
		return
	}
	r.restoreMu.Lock()
	r.restoreQ = append(r.restoreQ, i)
	start := r.restoreActive < r.s.cfg.RestoreConcurrency
	if start {
		r.restoreActive++
	}
	r.restoreMu.Unlock()
	if start && !r.s.goBackground(func() { r.drainRestores(run) }) {
		// Closing: the run is over; answer what is queued at once.
		r.drainRestores(run)
	}
}

func (r *runner) drainRestores(run *sched.Run) {
	for {
		r.restoreMu.Lock()
		if len(r.restoreQ) == 0 {
			r.restoreActive--
			r.restoreMu.Unlock()
			return
		}
		i := r.restoreQ[0]
		r.restoreQ = r.restoreQ[1:]
		r.restoreMu.Unlock()
		hit := false
		select {
		case <-run.Done(): // cancelled or closed: answer at once
		default:
			hit = r.restoreOne(i)
		}
		run.RestoreDone(i, hit, nil)
	}
}

// restoreOne asks the thunk's Restore hook, or the store, for node i's value.
func (r *runner) restoreOne(i int32) bool {
	if r.ctx.Err() != nil {
		return false
	}
	t := r.g.thunks[i]
	start := time.Now()
	var (
		c     Chunk
		err   error
		bytes int64
	)
	if t.opts != nil && t.opts.Restore != nil {
		c, err = r.callRestore(t)
	} else {
		var v any
		var info checkpoint.Info
		key := r.key(i)
		v, info, err = r.s.cfg.Checkpoints.Get(checkpoint.WithRun(r.ctx, r.runID), key, t.fn.ResultType())
		if err == nil {
			c, bytes = &valueChunk{v: v, key: key}, info.Size
		}
	}
	if err == nil && isNilChunk(c) {
		c = nil
	}
	if err == nil && c != nil {
		err = checkRestored(t, c)
	}
	switch {
	case err == nil && c != nil:
		r.results[i] = c
		r.restored.Add(1)
		r.bytesRead.Add(bytes)
		if r.events {
			e := r.thunkEvent(ThunkRestored, i)
			e.Duration, e.Bytes = time.Since(start), bytes
			r.s.emit(e)
		}
		return true
	case err == nil || isNothing(err):
		if r.events {
			r.s.emit(r.thunkEvent(RestoreMissed, i))
		}
		return false
	default:
		r.rstFailed.Add(1)
		r.logWarn("cairn: restore failed; recomputing", i, err)
		if r.events {
			e := r.thunkEvent(RestoreFailed, i)
			e.Duration, e.Err = time.Since(start), err
			r.s.emit(e)
		}
		return false
	}
}

// callRestore calls a user's Restore hook, turning a panic into an error.
func (r *runner) callRestore(t *Thunk) (c Chunk, err error) {
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, &PanicError{Value: p}
		}
	}()
	return t.opts.Restore(r.ctx, t)
}

// awaitSpawn waits for a spawned thunk's own run and hands its value over.
func (r *runner) awaitSpawn(run *sched.Run, i int32) {
	st := r.g.thunks[i].spawn.Load()
	select {
	case <-st.done:
	case <-r.ctx.Done():
		run.RestoreDone(i, false, r.ctx.Err())
		return
	}
	if st.err != nil {
		run.RestoreDone(i, false, st.err)
		return
	}
	r.results[i] = st.chunk
	run.RestoreDone(i, true, nil)
}

// isNilChunk reports whether c is nil or a nil pointer in a Chunk
// interface: both mean "nothing restored".
func isNilChunk(c Chunk) bool {
	if c == nil {
		return true
	}
	v := reflect.ValueOf(c)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// checkRestored checks that a restored in-process value is of the type the
// thunk's function returns: a restore of the wrong type is reported and the
// thunk recomputed, rather than failing a consumer that is not at fault.
func checkRestored(t *Thunk, c Chunk) error {
	vc, ok := c.(*valueChunk)
	want := t.fn.ResultType()
	if !ok || want == nil {
		return nil // held elsewhere: known only when fetched
	}
	if vc.v == nil {
		if nillable(want) {
			return nil
		}
		return fmt.Errorf("restored nil, but %s returns a %v", t.fn.Name(), want)
	}
	if got := reflect.TypeOf(vc.v); !got.AssignableTo(want) {
		return fmt.Errorf("restored a %v, but %s returns a %v", got, t.fn.Name(), want)
	}
	return nil
}
