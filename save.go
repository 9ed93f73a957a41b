package cairn

import (
	"context"
	"fmt"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
)

// checkpoint hands node i's result to its Checkpoint hook and to the store.
// Unless the thunk requires its checkpoint, the writes run in the
// background, at most CheckpointConcurrency at once: a thunk finishing while
// all are busy waits for one, which bounds the memory they hold.
func (r *runner) checkpoint(ctx context.Context, i int32, c Chunk, took time.Duration) error {
	t := r.g.thunks[i]
	hook := t.opts != nil && t.opts.Checkpoint != nil
	store := r.key(i) != "" && took >= r.s.cfg.CheckpointMinDuration
	if !hook && !store {
		return nil
	}
	if t.opts != nil && t.opts.CheckpointRequired {
		return r.writeCheckpoint(ctx, i, c, hook, store)
	}
	select {
	case r.s.ckptSem <- struct{}{}:
	case <-ctx.Done():
		r.reportCheckpoint(i, time.Now(), 0, fmt.Errorf("not written: %w", context.Cause(ctx)))
		return nil
	}
	// A checkpoint that was started is finished even if the run is
	// cancelled: the work it saves has been paid for.
	wctx := context.WithoutCancel(ctx)
	r.ckpts.Add()
	write := func() {
		defer func() {
			<-r.s.ckptSem
			r.ckpts.Done()
		}()
		_ = r.writeCheckpoint(wctx, i, c, hook, store)
	}
	if !r.s.goBackground(write) {
		write() // closing: write it here, before Close returns
	}
	return nil
}

// writeCheckpoint writes one checkpoint and reports the outcome; the error
// is returned for CheckpointRequired.
func (r *runner) writeCheckpoint(ctx context.Context, i int32, c Chunk, hook, store bool) error {
	t := r.g.thunks[i]
	start := time.Now()
	var bytes int64
	var err error
	if hook {
		err = r.callCheckpoint(ctx, t, c)
	}
	if store && err == nil {
		var v any
		if v, err = c.Value(ctx); err == nil {
			var info checkpoint.Info
			meta := checkpoint.Meta{Key: r.key(i), Thunk: t.Name(), Func: t.fn.Name(),
				Version: t.fn.Version(), Run: r.runID, Created: time.Now()}
			info, err = r.s.cfg.Checkpoints.Put(checkpoint.WithRun(ctx, meta.Run), meta.Key, v, meta)
			bytes = info.Size
		}
	}
	r.reportCheckpoint(i, start, bytes, err)
	return err
}

// reportCheckpoint counts, logs and reports the outcome of a checkpoint.
func (r *runner) reportCheckpoint(i int32, start time.Time, bytes int64, err error) {
	if err != nil {
		r.ckptFailed.Add(1)
		r.logWarn("cairn: checkpoint failed", i, err)
		if r.events {
			e := r.thunkEvent(CheckpointFailed, i)
			e.Duration, e.Err = time.Since(start), err
			r.s.emit(e)
		}
		return
	}
	r.checkpointed.Add(1)
	r.bytesWritten.Add(bytes)
	if r.events {
		e := r.thunkEvent(ThunkCheckpointed, i)
		e.Duration, e.Bytes = time.Since(start), bytes
		r.s.emit(e)
	}
}

func (r *runner) callCheckpoint(ctx context.Context, t *Thunk, c Chunk) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p}
		}
	}()
	return t.opts.Checkpoint(ctx, t, c)
}
