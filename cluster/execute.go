package cluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/codec"
	"github.com/cairnlabs/cairn/exec"
)

// driverWorker names the driver as the holder of values it sends.
const driverWorker = "driver"

// Execute sends t to a worker — the one holding most of its input bytes,
// else the least busy — and waits for its answer. A task that a leaving
// worker declined is sent again, to another.
func (e *Executor) Execute(ctx context.Context, t *exec.Task) (exec.Result, error) {
	for {
		res, err := e.execute(ctx, t)
		if !errors.Is(err, errDeclined) {
			return res, err
		}
	}
}

// execute sends t to a worker once.
func (e *Executor) execute(ctx context.Context, t *exec.Task) (exec.Result, error) {
	if !t.Func.Registered() {
		return exec.Result{}, fmt.Errorf("cluster: function %s is not registered: workers find functions by registered name; cairn.Register(%q, f) at package level", t.Func.Name(), t.Func.Name())
	}
	wt := &wireTask{Kind: kindRun, Name: t.Name, Func: t.Func.Name(), Version: t.Func.Version(), Key: t.Key}
	if c := t.Checkpoint; c != nil {
		if c.Store == "" {
			return exec.Result{}, errors.New("cluster: the checkpoint store has no URL that workers could open: open it with checkpoint.Open(ctx, url)")
		}
		wt.Ckpt = &wireCkpt{Store: c.Store, Key: c.Key, Meta: c.Meta, MinDuration: c.MinDuration, Required: c.Required, Standalone: c.Standalone}
	}
	var held []uint64
	defer func() {
		if held != nil {
			e.store.release(held...)
		}
	}()
	bytes := map[string]int64{}
	var lost []int
	lostAt := ""
	for i, a := range t.Args {
		wa, err := e.wireArg(ctx, a, bytes, &held)
		var le *exec.LostError
		if errors.As(err, &le) {
			lost, lostAt = append(lost, i), le.Worker
			continue
		}
		if err != nil {
			return exec.Result{}, fmt.Errorf("cluster: argument %d of %s: %w", i+1, t.Name, err)
		}
		wt.Args = append(wt.Args, wa)
	}
	if lost != nil {
		return exec.Result{}, &exec.LostError{Worker: lostAt, Inputs: lost, Err: errors.New("held by a worker that is gone")}
	}
	e.mu.Lock()
	wt.Alone = e.lostOnce[t.ID]
	e.mu.Unlock()
	c, err := e.send(ctx, wt, bytes, held, t.Checkpoint != nil)
	if err != nil {
		return exec.Result{}, err
	}
	held = nil // freed when answered
	a, err := e.await(ctx, c)
	if err != nil {
		var le *exec.LostError
		if errors.As(err, &le) {
			e.mu.Lock()
			e.lostOnce[t.ID] = true
			e.mu.Unlock()
			e.stats.lost.Add(1)
		}
		return exec.Result{Worker: a.worker}, err
	}
	if wt.Alone {
		e.mu.Lock()
		delete(e.lostOnce, t.ID) // it ran and answered: no longer a suspect
		e.mu.Unlock()
	}
	r := a.res
	switch r.Kind {
	case resOK:
		res, err := e.result(r, a.worker, t.Key)
		if err != nil {
			return exec.Result{}, err
		}
		if r.CkptPending {
			res.Checkpoint = c.ckpt
		}
		return res, nil
	case resLost:
		msg := r.Err
		if _, gone := e.isGone(r.Holder); !gone && r.Holder != "" && r.Holder != driverWorker {
			// The holder is alive: the fetching worker cannot reach it.
			msg += fmt.Sprintf(" (worker %s, which holds it, is alive: can worker %s reach its data plane? Set %s on each worker to an address the others can reach)",
				r.Holder, a.worker, EnvAdvertise)
		}
		return exec.Result{Worker: a.worker}, &exec.LostError{Worker: r.Holder, Inputs: r.Lost, Err: errors.New(msg)}
	default:
		return exec.Result{Worker: a.worker, Duration: r.Duration},
			&RemoteError{Worker: a.worker, Msg: r.Err, Panic: r.Panic, Stack: r.Stack, Retryable: r.Retryable}
	}
}

// restoreTries bounds how many workers Restore asks in turn when the one
// reading a checkpoint is lost.
const restoreTries = 3

// Restore reads a checkpoint on a worker, which keeps the value (or sends
// it back, if small). A restore lost with its worker is asked of another:
// the checkpoint is still there, and failing would recompute it.
func (e *Executor) Restore(ctx context.Context, req *exec.RestoreRequest) (exec.Result, error) {
	for try := 1; ; {
		res, err := e.restore(ctx, req)
		switch {
		case errors.Is(err, errDeclined):
			continue // a leaving worker did not read it
		case try < restoreTries && errors.Is(err, exec.ErrLost) && ctx.Err() == nil:
			try++
			continue
		}
		return res, err
	}
}

// restore asks one worker to read a checkpoint.
func (e *Executor) restore(ctx context.Context, req *exec.RestoreRequest) (exec.Result, error) {
	wt := &wireTask{Kind: kindRestore, Name: req.Name, Func: req.Func.Name(), Version: req.Func.Version(),
		Key: req.Key, Store: req.Store, RKey: req.Key, Run: req.Run}
	c, err := e.send(ctx, wt, nil, nil, false)
	if err != nil {
		return exec.Result{}, err
	}
	a, err := e.await(ctx, c)
	if err != nil {
		return exec.Result{}, err
	}
	r := a.res
	switch r.Kind {
	case resOK:
		return e.result(r, a.worker, req.Key)
	case resMissing:
		return exec.Result{Worker: a.worker}, fmt.Errorf("%w: %s (on worker %s)", fs.ErrNotExist, r.Err, a.worker)
	default:
		err := &RemoteError{Worker: a.worker, Msg: r.Err}
		if r.Corrupt {
			return exec.Result{Worker: a.worker}, fmt.Errorf("%w: %v", checkpoint.ErrCorrupt, err)
		}
		return exec.Result{Worker: a.worker}, err
	}
}

// result turns a worker's answer into a chunk: a value here if it rode
// back inline, else a reference to it on the worker.
func (e *Executor) result(r *wireResult, worker, key string) (exec.Result, error) {
	res := exec.Result{Worker: worker, Duration: r.Duration, Bytes: r.Bytes}
	if r.Inline {
		v, err := codec.Unmarshal(r.Codec, r.Data, nil)
		if err != nil {
			return exec.Result{}, fmt.Errorf("cluster: result from worker %s: %w", worker, err)
		}
		e.stats.inlineBytes.Add(int64(len(r.Data)))
		res.Chunk = exec.NewValue(v, key)
		return res, nil
	}
	e.mu.Lock()
	addr := ""
	if m := e.workers[worker]; m != nil {
		addr = m.info.Addr
	}
	e.mu.Unlock()
	if addr == "" {
		return exec.Result{}, &exec.LostError{Worker: worker, Err: errors.New("the worker left as it answered")}
	}
	res.Chunk = e.newRef(worker, addr, r.Chunk, r.Bytes, key)
	return res, nil
}

// wireArg turns an argument into what travels: a reference to a value a
// worker holds, or the value's bytes (inline if small, else from the
// driver's own data plane). It counts input bytes per worker.
func (e *Executor) wireArg(ctx context.Context, a exec.Chunk, bytes map[string]int64, held *[]uint64) (wireArg, error) {
	switch a := a.(type) {
	case *ref:
		if a.e == e {
			if why, gone := e.isGone(a.worker); gone {
				return wireArg{}, &exec.LostError{Worker: a.worker, Err: errors.New(why)}
			}
			bytes[a.worker] += a.size
			return wireArg{Tag: argRef, Worker: a.worker, Addr: a.addr, Chunk: a.n, Size: a.size, Key: a.key}, nil
		}
	case *exec.List:
		l := wireArg{Tag: argList, Elems: make([]wireArg, len(a.Elems))}
		for i, el := range a.Elems {
			wa, err := e.wireArg(ctx, el, bytes, held)
			if err != nil {
				return wireArg{}, err
			}
			l.Elems[i] = wa
		}
		if a.Keys != nil {
			l.Keys = make([]wireArg, len(a.Keys))
			for i, k := range a.Keys {
				wa, err := e.wireArg(ctx, exec.NewValue(k, ""), bytes, held)
				if err != nil {
					return wireArg{}, fmt.Errorf("map key %v: %w", k, err)
				}
				l.Keys[i] = wa
			}
		}
		return l, nil
	}
	v, err := a.Value(ctx)
	if err != nil {
		return wireArg{}, err
	}
	id, data, err := codec.Marshal(v)
	if err != nil {
		return wireArg{}, fmt.Errorf("cannot send it to a worker: %w", err)
	}
	key := ""
	if k, ok := a.(exec.Keyed); ok {
		key = k.Key()
	}
	if len(data) <= e.cfg.InlineMax {
		e.stats.sentBytes.Add(int64(len(data)))
		return wireArg{Tag: argInline, Codec: id, Data: data, Key: key}, nil
	}
	n, err := e.store.put(v, id, data)
	if err != nil {
		return wireArg{}, err
	}
	*held = append(*held, n)
	return wireArg{Tag: argRef, Worker: driverWorker, Addr: e.data.addr(), Chunk: n, Size: int64(len(data)), Key: key}, nil
}

// send places a task on a worker and queues it for sending. A suspect
// (alone) waits for a worker of its own (see quarantine.go).
func (e *Executor) send(ctx context.Context, wt *wireTask, bytes map[string]int64, held []uint64, ckpt bool) (*call, error) {
	var reserved *member
	for {
		e.mu.Lock()
		if e.closed {
			e.unreserveLocked(reserved)
			e.mu.Unlock()
			return nil, ErrClosed
		}
		var w *member
		if wt.Alone {
			reserved = e.reserveLocked(reserved)
			if reserved != nil && len(reserved.outstanding) == 0 {
				w = reserved
			}
		} else {
			w = e.placeLocked(bytes)
		}
		if w != nil {
			e.seq++
			c := &call{seq: e.seq, worker: w.info.ID, task: wt, done: make(chan answer, 1), held: held, alone: wt.Alone}
			if ckpt {
				c.ckpt = make(chan exec.CheckpointOutcome, 1)
			}
			wt.Seq = c.seq
			e.calls[c.seq] = c
			w.outstanding[c.seq] = c
			e.mu.Unlock()
			e.stats.tasks.Add(1)
			e.out.queue(c)
			return c, nil
		}
		// No worker (or no free one): wait for one to join or free up.
		vacancy := e.vacancy
		e.waiting++
		e.mu.Unlock()
		select {
		case <-vacancy:
			e.mu.Lock()
			e.waiting--
			e.mu.Unlock()
		case <-ctx.Done():
			e.mu.Lock()
			e.waiting--
			e.unreserveLocked(reserved)
			e.mu.Unlock()
			return nil, ctx.Err()
		}
	}
}

// placeLocked picks a ready worker: the one holding most of the input
// bytes, unless it is much busier than the least busy; else the least
// busy. Nil if there is none.
func (e *Executor) placeLocked(bytes map[string]int64) *member {
	var best, idle *member
	var bestBytes int64
	for _, m := range e.workers {
		if m.info.State != stateReady || m.reserved {
			continue
		}
		if idle == nil || load(m) < load(idle) || load(m) == load(idle) && m.info.ID < idle.info.ID {
			idle = m
		}
		if b := bytes[m.info.ID]; b > bestBytes {
			best, bestBytes = m, b
		}
	}
	if best != nil && len(best.outstanding) < 2*e.cfg.Pipeline*max(best.info.Slots, 1) {
		return best
	}
	return idle
}

// load is a worker's outstanding tasks per slot.
func load(m *member) float64 { return float64(len(m.outstanding)) / float64(max(m.info.Slots, 1)) }

// await waits for a call's answer.
func (e *Executor) await(ctx context.Context, c *call) (answer, error) {
	select {
	case a := <-c.done:
		return a, a.err
	case <-ctx.Done():
		e.finish(c, answer{err: ctx.Err()})
		return answer{}, ctx.Err()
	}
}

// finish ends a call with a, once; it frees what the driver held for it.
func (e *Executor) finish(c *call, a answer) bool {
	e.mu.Lock()
	if _, ok := e.calls[c.seq]; !ok {
		e.mu.Unlock()
		return false
	}
	delete(e.calls, c.seq)
	if m := e.workers[c.worker]; m != nil {
		delete(m.outstanding, c.seq)
		if c.alone {
			m.reserved = false
		}
	}
	if e.waiting > 0 {
		e.vacateLocked()
	}
	if seqs, ok := e.bySeqMsg[c.msg]; ok && c.msg != 0 {
		open := false
		for _, s := range seqs {
			if _, ok := e.calls[s]; ok {
				open = true
				break
			}
		}
		if !open {
			delete(e.bySeqMsg, c.msg)
		}
	}
	if a.res != nil && a.res.CkptPending {
		e.ckpts[c.seq] = c
	}
	e.mu.Unlock()
	if c.held != nil {
		e.store.release(c.held...)
	}
	c.done <- a
	return true
}

// checkpointed delivers a checkpoint outcome.
func (e *Executor) checkpointed(r *wireResult) {
	e.mu.Lock()
	c := e.ckpts[r.Seq]
	delete(e.ckpts, r.Seq)
	e.mu.Unlock()
	if c == nil || c.ckpt == nil {
		return
	}
	out := exec.CheckpointOutcome{Bytes: r.Bytes, Duration: r.Duration, Skipped: r.Skipped}
	if r.Err != "" {
		out.Err = &RemoteError{Worker: c.worker, Msg: r.Err}
	}
	c.ckpt <- out
}

// isGone reports whether a worker is known to have left, and why.
func (e *Executor) isGone(worker string) (string, bool) {
	if worker == driverWorker {
		return "", false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	why, gone := e.gone[worker]
	return why, gone
}

// Ensure the interfaces.
var (
	_ exec.Executor = (*Executor)(nil)
	_ exec.Restorer = (*Executor)(nil)
	_ exec.Elastic  = (*Executor)(nil)
	_               = time.Second
)
