package runner

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/exec"
	"github.com/cairnlabs/cairn/internal/sched"
)

// restorable reports whether node i should be restored before it runs: a
// spawned node (its value comes from its own run), a node with its own
// Restore hook, or one keyed in the checkpoint store.
func (r *run) restorable(i int32) bool {
	n := r.g.nodes[i]
	return r.g.external[i] || (n.Opts != nil && n.Opts.Restore != nil) || r.key(i) != ""
}

// Restore queues node i for a restore; at most RestoreConcurrency run at
// once per run.
func (r *run) Restore(ctx context.Context, sr *sched.Run, i int32) {
	if r.g.external[i] {
		if !r.s.goBackground(func() { r.awaitSpawn(ctx, sr, i) }) {
			sr.RestoreDone(i, false, ErrClosed)
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
	if start && !r.s.goBackground(func() { r.drainRestores(ctx, sr) }) {
		// Closing: the run is over; answer what is queued at once.
		r.drainRestores(ctx, sr)
	}
}

func (r *run) drainRestores(ctx context.Context, sr *sched.Run) {
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
		case <-sr.Done(): // cancelled or closed: answer at once
		default:
			hit = r.restoreOne(ctx, i)
		}
		sr.RestoreDone(i, hit, nil)
	}
}

// restoreOne asks the node's Restore hook, the executor or the store for
// node i's value.
func (r *run) restoreOne(ctx context.Context, i int32) bool {
	if ctx.Err() != nil {
		return false
	}
	n := r.g.nodes[i]
	start := time.Now()
	var (
		c      exec.Chunk
		err    error
		bytes  int64
		worker string
	)
	switch {
	case n.Opts != nil && n.Opts.Restore != nil:
		c, err = r.callRestore(ctx, n)
	default:
		key := r.key(i)
		st := r.s.cfg.Store
		if rs, ok := r.s.cfg.Exec.(exec.Restorer); ok && st.URL() != "" {
			var res exec.Result
			res, err = rs.Restore(ctx, &exec.RestoreRequest{ID: n.ID, Name: n.Name(), Func: n.Fn,
				Store: st.URL(), Key: key, Run: r.runID})
			c, bytes, worker = res.Chunk, res.Bytes, res.Worker
			break
		}
		var v any
		var info checkpoint.Info
		v, info, err = st.Get(checkpoint.WithRun(ctx, r.runID), key, n.Fn.ResultType())
		if err == nil {
			c, bytes = exec.NewValue(v, key), info.Size
		}
	}
	if err == nil && isNilChunk(c) {
		c = nil
	}
	if err == nil && c != nil {
		err = checkRestored(n, c)
	}
	switch {
	case err == nil && c != nil:
		r.setResult(i, c)
		r.restored.Add(1)
		r.bytesRead.Add(bytes)
		if r.events {
			e := r.nodeEvent(Restored, i)
			e.Duration, e.Bytes, e.Worker = time.Since(start), bytes, worker
			r.s.cfg.Sink(e)
		}
		return true
	case err == nil || IsNothing(err):
		if r.events {
			r.s.cfg.Sink(r.nodeEvent(RestoreMissed, i))
		}
		return false
	default:
		r.rstFailed.Add(1)
		r.logWarn(ctx, "cairn: restore failed; recomputing", i, err)
		if r.events {
			e := r.nodeEvent(RestoreFailed, i)
			e.Duration, e.Err, e.Worker = time.Since(start), err, worker
			r.s.cfg.Sink(e)
		}
		return false
	}
}

// callRestore calls a user's Restore hook, turning a panic into an error.
func (r *run) callRestore(ctx context.Context, n *Node) (c exec.Chunk, err error) {
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, &exec.PanicError{Value: p}
		}
	}()
	return n.Opts.Restore(ctx, n.Owner)
}

// awaitSpawn waits for a spawned node's own run and hands its value over.
func (r *run) awaitSpawn(ctx context.Context, sr *sched.Run, i int32) {
	st := r.g.nodes[i].spawn.Load()
	select {
	case <-st.done:
	case <-ctx.Done():
		sr.RestoreDone(i, false, ctx.Err())
		return
	}
	if st.err != nil {
		sr.RestoreDone(i, false, st.err)
		return
	}
	r.setResult(i, st.chunk)
	sr.RestoreDone(i, true, nil)
}

// isNilChunk reports whether c is nil or a nil pointer in a Chunk
// interface: both mean "nothing restored".
func isNilChunk(c exec.Chunk) bool {
	if c == nil {
		return true
	}
	v := reflect.ValueOf(c)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// checkRestored checks that a restored in-process value is of the type the
// node's function returns: a restore of the wrong type is reported and the
// node recomputed, rather than failing a consumer that is not at fault.
func checkRestored(n *Node, c exec.Chunk) error {
	vc, ok := c.(*exec.ValueChunk)
	want := n.Fn.ResultType()
	if !ok || want == nil {
		return nil // held elsewhere: known only when fetched
	}
	if vc.V == nil {
		if nillable(want) {
			return nil
		}
		return fmt.Errorf("restored nil, but %s returns %s", n.Fn.Name(), article(want))
	}
	if got := reflect.TypeOf(vc.V); !got.AssignableTo(want) {
		return fmt.Errorf("restored %s, but %s returns %s", article(got), n.Fn.Name(), article(want))
	}
	return nil
}
