package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/codec"
	"github.com/nats-io/nats.go/jetstream"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// handle runs the tasks of one message with ctx and acknowledges it once
// every result has been sent. Long tasks keep the message alive with
// in-progress acknowledgements.
func (w *worker) handle(ctx context.Context, m jetstream.Msg) {
	_, tasks, err := decodeTasks(m.Data())
	if err != nil {
		w.log.Warn("cairn: worker dropping a task message it cannot read", "err", err)
		_ = m.Term()
		return
	}
	d := w.driver.Load()
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(max(d.AckWait/3, 100*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = m.InProgress()
			}
		}
	}()
	var sent sync.WaitGroup
	run := func(t *wireTask) {
		sent.Add(1)
		w.run(ctx, t, sent.Done)
	}
	// A task that was lost before runs alone first: it may be the one
	// killing workers, and the others should not go down with it again.
	var rest []*wireTask
	for _, t := range tasks {
		if t.Alone {
			run(t)
		} else {
			rest = append(rest, t)
		}
	}
	var wg sync.WaitGroup
	for _, t := range rest {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(t)
		}()
	}
	wg.Wait()
	sent.Wait()
	_ = m.Ack()
}

// run runs one task in a slot and queues its result; sent is called once
// the result is on its way to the driver.
func (w *worker) run(ctx context.Context, t *wireTask, sent func()) {
	w.slots <- struct{}{}
	defer func() { <-w.slots }()
	if w.draining.Load() {
		// Leaving: the driver places the task on another worker.
		w.results.add(&wireResult{Seq: t.Seq, Kind: resDeclined, Err: "worker " + w.id + " is draining"}, sent)
		return
	}
	w.tasks.Add(1)
	switch t.Kind {
	case kindRestore:
		w.results.add(w.restore(ctx, t), sent)
		return
	}
	fn, err := w.lookup(t.Func, t.Version)
	if err != nil {
		w.results.add(&wireResult{Seq: t.Seq, Kind: resFailed, Err: err.Error()}, sent)
		return
	}
	args, lost, err := w.args(ctx, t.Args)
	if err != nil {
		w.results.add(&wireResult{Seq: t.Seq, Kind: resFailed, Err: err.Error()}, sent)
		return
	}
	if lost != nil {
		w.results.add(&wireResult{Seq: t.Seq, Kind: resLost, Lost: lost.idx, Holder: lost.holder, Err: lost.err.Error()}, sent)
		return
	}
	start := time.Now()
	v, err := fn.Call(ctx, args)
	took := time.Since(start)
	if err != nil {
		w.results.add(failure(t.Seq, err, took), sent)
		return
	}
	res, err := w.keep(v, took)
	if err != nil {
		w.results.add(&wireResult{Seq: t.Seq, Kind: resFailed, Duration: took,
			Err: fmt.Sprintf("the result of %s cannot travel between processes: %v", t.Name, err)}, sent)
		return
	}
	res.Seq = t.Seq
	if c := t.Ckpt; c != nil {
		res.CkptPending = true
		if c.Required {
			out := w.checkpoint(c, v, took)
			if out.Err != "" {
				w.store.release(res.Chunk)
				w.results.add(&wireResult{Seq: t.Seq, Kind: resFailed, Duration: took, Err: "required checkpoint: " + out.Err}, sent)
				return
			}
			out.Seq = t.Seq
			w.results.add(res, nil)
			w.results.add(out, sent)
			return
		}
		// The result goes first: the driver expects the outcome after it.
		w.results.add(res, sent)
		w.ckpts.Add(1)
		go func() {
			defer w.ckpts.Done()
			w.ckptSem <- struct{}{}
			defer func() { <-w.ckptSem }()
			out := w.checkpoint(c, v, took)
			out.Seq = t.Seq
			w.results.add(out, nil)
		}()
		return
	}
	w.results.add(res, sent)
}

// keep sends a result inline (small) or keeps it in the store. A value
// whose size is known without encoding it is kept unencoded until it is
// sent or spilled; others are encoded now, to learn their size. Either
// way, a value the codec cannot carry faithfully is refused now.
func (w *worker) keep(v any, took time.Duration) (*wireResult, error) {
	inlineMax := int64(w.driver.Load().InlineMax)
	if size := codec.SizeHint(v); size > inlineMax {
		if err := codec.CheckValue(v); err != nil {
			return nil, err
		}
		n, err := w.store.putLazy(v, size)
		if err != nil {
			w.log.Warn("cairn: worker could not spill values to disk", "err", err)
		}
		return &wireResult{Kind: resOK, Duration: took, Bytes: size, Chunk: n}, nil
	}
	id, data, err := codec.Marshal(v)
	if err != nil {
		return nil, err
	}
	res := &wireResult{Kind: resOK, Duration: took, Bytes: int64(len(data))}
	if int64(len(data)) <= inlineMax {
		res.Inline, res.Codec, res.Data = true, id, data
		return res, nil
	}
	n, err := w.store.put(v, id, data)
	if err != nil {
		w.log.Warn("cairn: worker could not spill values to disk", "err", err)
	}
	res.Chunk = n
	return res, nil
}

// failure describes a function's error for the driver.
func failure(seq uint64, err error, took time.Duration) *wireResult {
	r := &wireResult{Seq: seq, Kind: resFailed, Err: err.Error(), Duration: took,
		Retryable: errors.Is(err, cairn.ErrRetryable)}
	var pe *cairn.PanicError
	if errors.As(err, &pe) {
		r.Panic, r.Stack = true, string(pe.Stack)
	}
	return r
}

// lostArgs names the arguments whose values are gone, and the worker that
// held the first.
type lostArgs struct {
	idx    []int
	holder string
	err    error
}

// args resolves a task's arguments to values: inline ones decoded, those
// held here taken from the store, others fetched from their holders.
func (w *worker) args(ctx context.Context, in []wireArg) ([]any, *lostArgs, error) {
	out := make([]any, len(in))
	var lost *lostArgs
	for i := range in {
		v, err := w.arg(ctx, &in[i])
		if errors.Is(err, errGone) {
			if lost == nil {
				lost = &lostArgs{err: err, holder: holderOf(&in[i])}
			}
			lost.idx = append(lost.idx, i)
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		out[i] = v
	}
	return out, lost, nil
}

// holderOf names the worker holding an argument's value (the first one of
// a list).
func holderOf(a *wireArg) string {
	if a.Tag == argList && len(a.Elems) > 0 {
		for i := range a.Elems {
			if h := holderOf(&a.Elems[i]); h != "" {
				return h
			}
		}
	}
	return a.Worker
}

func (w *worker) arg(ctx context.Context, a *wireArg) (any, error) {
	switch a.Tag {
	case argInline:
		return codec.Unmarshal(a.Codec, a.Data, nil)
	case argRef:
		if a.Worker == w.id {
			v, err := w.store.get(a.Chunk)
			if errors.Is(err, errNoChunk) {
				return nil, fmt.Errorf("%w: this worker no longer holds chunk %d", errGone, a.Chunk)
			}
			return v, err
		}
		v, _, err := w.fetch.fetch(ctx, a.Addr, a.Chunk, a.Size, w.driver.Load().Secret)
		return v, err
	case argList:
		vals := make([]any, len(a.Elems))
		for j := range a.Elems {
			v, err := w.arg(ctx, &a.Elems[j])
			if err != nil {
				return nil, err
			}
			vals[j] = v
		}
		if a.Keys == nil {
			return vals, nil
		}
		m := make(map[any]any, len(vals))
		for j := range a.Keys {
			k, err := w.arg(ctx, &a.Keys[j])
			if err != nil {
				return nil, err
			}
			m[k] = vals[j]
		}
		return m, nil
	}
	return nil, fmt.Errorf("unknown argument tag %q", a.Tag)
}

// lookup finds a registered function and checks its version.
func (w *worker) lookup(name, version string) (*cairn.Func, error) {
	fn, ok := cairn.Lookup(name)
	exe, _ := os.Executable()
	if !ok {
		return nil, fmt.Errorf("worker %s has no function registered as %q (its binary is %s): start workers from the driver's build, which registers it", w.id, name, exe)
	}
	if fn.Version() != version {
		return nil, fmt.Errorf("worker %s has %q at version %q, the driver sent version %q: start workers from the driver's build (binary %s)", w.id, name, fn.Version(), version, exe)
	}
	return fn, nil
}

// checkpoint writes a result to the store the request names and describes
// the outcome for the driver.
func (w *worker) checkpoint(c *wireCkpt, v any, took time.Duration) *wireResult {
	out := &wireResult{Kind: resCheckpoint}
	if took < c.MinDuration {
		out.Skipped = true
		return out
	}
	ctx := context.Background()
	st, err := w.stores.open(ctx, c.Store)
	if err != nil {
		out.Err = err.Error()
		return out
	}
	start := time.Now()
	meta := c.Meta
	meta.Created = time.Now()
	pctx := checkpoint.WithRun(ctx, meta.Run)
	if c.Standalone {
		pctx = checkpoint.WithStandalone(pctx)
	}
	info, err := st.Put(pctx, c.Key, v, meta)
	out.Duration = time.Since(start)
	if err != nil {
		out.Err = err.Error()
		return out
	}
	out.Bytes = info.Size
	return out
}

// restore reads a checkpoint into the store (or inline, if small).
func (w *worker) restore(ctx context.Context, t *wireTask) *wireResult {
	fail := func(err error) *wireResult {
		return &wireResult{Seq: t.Seq, Kind: resFailed, Err: err.Error(), Corrupt: errors.Is(err, checkpoint.ErrCorrupt)}
	}
	fn, err := w.lookup(t.Func, t.Version)
	if err != nil {
		return fail(err)
	}
	st, err := w.stores.open(ctx, t.Store)
	if err != nil {
		return fail(err)
	}
	v, info, err := st.Get(checkpoint.WithRun(ctx, t.Run), t.RKey, fn.ResultType())
	if errors.Is(err, fs.ErrNotExist) {
		return &wireResult{Seq: t.Seq, Kind: resMissing, Err: err.Error()}
	}
	if err != nil {
		return fail(err)
	}
	res, err := w.keep(v, 0)
	if err != nil {
		return fail(err)
	}
	res.Seq, res.Bytes = t.Seq, info.Size
	return res
}

// storeCache holds the checkpoint stores a worker opened, by URL.
type storeCache struct {
	mu sync.Mutex
	m  map[string]*checkpoint.Store
}

func (c *storeCache) open(ctx context.Context, url string) (*checkpoint.Store, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[url]; ok {
		return st, nil
	}
	if url == "" {
		return nil, errors.New("the checkpoint store has no URL workers can open: open it with checkpoint.Open")
	}
	st, err := checkpoint.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = make(map[string]*checkpoint.Store)
	}
	c.m[url] = st
	return st, nil
}

// closeAll closes the stores (flushing their bookkeeping), waiting at most
// grace: a store whose server is gone would hold the worker up.
func (c *storeCache) closeAll(grace time.Duration) {
	c.mu.Lock()
	stores := c.m
	c.m = nil
	c.mu.Unlock()
	done := make(chan struct{})
	go func() {
		for _, st := range stores {
			_ = st.Close()
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(grace):
	}
}
