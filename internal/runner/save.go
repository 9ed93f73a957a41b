package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/codec"
	"github.com/cairnlabs/cairn/exec"
)

// checkpointRequest asks the executor to store node i's result under its
// key, where the result lives.
func (r *run) checkpointRequest(i int32) *exec.CheckpointRequest {
	n := r.g.nodes[i]
	key := r.key(i)
	return &exec.CheckpointRequest{
		Store: r.s.cfg.Store.URL(), Key: key, MinDuration: r.s.cfg.CheckpointMinDuration,
		Required:   n.Opts != nil && n.Opts.CheckpointRequired,
		Standalone: r.standalone(i),
		Meta:       checkpoint.Meta{Key: key, Thunk: n.Name(), Func: n.Fn.Name(), Version: n.Fn.Version(), Run: r.runID},
	}
}

// standalone reports whether node i's checkpoint should be an entry of its
// own (checkpoint.WithStandalone): it is the single target of a Compute,
// which a rerun restores first, so a new process then reads it without
// indexing the store. A spawned node's run is not one: spawns are tasks,
// often many, whose checkpoints are packed like the others.
func (r *run) standalone(i int32) bool {
	t := r.g.spec.Targets
	return len(t) == 1 && t[0] == i && !r.spawned
}

// checkpoint hands node i's result to its Checkpoint hook and, unless the
// executor took the task's checkpoint request, to the store. Unless the
// node requires its checkpoint, writes made here run in the background, at
// most CheckpointConcurrency at once: a node finishing while all are busy
// waits for one, which bounds the memory they hold.
func (r *run) checkpoint(ctx context.Context, i int32, res exec.Result, took time.Duration) error {
	n := r.g.nodes[i]
	hook := n.Opts != nil && n.Opts.Checkpoint != nil
	remote := res.Checkpoint // the executor's outcome, if it took the request
	store := remote == nil && r.key(i) != "" && took >= r.s.cfg.CheckpointMinDuration
	if !hook && !store && remote == nil {
		return nil
	}
	if n.Opts != nil && n.Opts.CheckpointRequired {
		return r.writeCheckpoint(ctx, i, res.Chunk, hook, store, remote)
	}
	if hook || store {
		select {
		case r.s.ckptSem <- struct{}{}:
		case <-ctx.Done():
			r.reportCheckpoint(ctx, i, time.Now(), 0, false, fmt.Errorf("not written: %w", context.Cause(ctx)))
			return nil
		}
	}
	// A checkpoint that was started is finished even if the run is
	// cancelled: the work it saves has been paid for.
	wctx := context.WithoutCancel(ctx)
	r.ckpts.Add()
	write := func() {
		defer func() {
			if hook || store {
				<-r.s.ckptSem
			}
			r.ckpts.Done()
		}()
		_ = r.writeCheckpoint(wctx, i, res.Chunk, hook, store, remote)
	}
	if !r.s.goBackground(write) {
		write() // closing: write it here, before Close returns
	}
	return nil
}

// writeCheckpoint writes one checkpoint (the hook's, the store's, and waits
// for the executor's) and reports the outcome once; the error is returned
// for CheckpointRequired.
func (r *run) writeCheckpoint(ctx context.Context, i int32, c exec.Chunk, hook, store bool, remote <-chan exec.CheckpointOutcome) error {
	n := r.g.nodes[i]
	start := time.Now()
	var bytes int64
	var err error
	skipped := false
	if hook {
		err = r.callCheckpoint(ctx, n, c)
	}
	if store && err == nil {
		var v any
		if v, err = c.Value(ctx); err == nil {
			var info checkpoint.Info
			meta := checkpoint.Meta{Key: r.key(i), Thunk: n.Name(), Func: n.Fn.Name(),
				Version: n.Fn.Version(), Run: r.runID, Created: time.Now()}
			pctx := checkpoint.WithRun(ctx, meta.Run)
			if r.standalone(i) {
				pctx = checkpoint.WithStandalone(pctx)
			}
			info, err = r.s.cfg.Store.Put(pctx, meta.Key, v, meta)
			bytes = info.Size
		}
	}
	if remote != nil {
		out, ok := <-remote
		switch {
		case !ok:
			out.Err = fmt.Errorf("the executor reported no outcome")
		case out.Skipped && !hook:
			skipped = true
		}
		bytes += out.Bytes
		if err == nil {
			err = out.Err
		}
	}
	if skipped {
		return nil
	}
	r.reportCheckpoint(ctx, i, start, bytes, remote != nil, err)
	return err
}

// reportCheckpoint counts, logs and reports the outcome of a checkpoint.
func (r *run) reportCheckpoint(ctx context.Context, i int32, start time.Time, bytes int64, remote bool, err error) {
	if err != nil {
		r.ckptFailed.Add(1)
		var ue *codec.UnfaithfulError
		if errors.As(err, &ue) {
			// Every thunk of this type would say the same: once per type.
			if _, told := r.s.unfaithful.LoadOrStore(ue.Type, true); !told {
				r.logWarn(ctx, "cairn: not checkpointing results that would not come back as they are (once per type)", i, err)
			}
		} else {
			r.logWarn(ctx, "cairn: checkpoint failed", i, err)
		}
		if r.events {
			e := r.nodeEvent(CheckpointFailed, i)
			e.Duration, e.Err = time.Since(start), err
			r.s.cfg.Sink(e)
		}
		return
	}
	r.checkpointed.Add(1)
	r.bytesWritten.Add(bytes)
	if r.events {
		e := r.nodeEvent(Checkpointed, i)
		e.Duration, e.Bytes = time.Since(start), bytes
		r.s.cfg.Sink(e)
	}
}

func (r *run) callCheckpoint(ctx context.Context, n *Node, c exec.Chunk) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &exec.PanicError{Value: p}
		}
	}()
	return n.Opts.Checkpoint(ctx, n.Owner, c)
}
