package cluster

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn/exec"
)

// ref is a value a worker holds: an exec.Remote.
type ref struct {
	e        *Executor
	worker   string
	addr     string
	n        uint64
	size     int64
	key      string
	released atomic.Bool
}

// refID names a value on a worker, for its cleanup.
type refID struct {
	e      *Executor
	worker string
	n      uint64
}

// newRef makes a reference, freed on its worker when it is released or
// garbage collected.
func (e *Executor) newRef(worker, addr string, n uint64, size int64, key string) *ref {
	r := &ref{e: e, worker: worker, addr: addr, n: n, size: size, key: key}
	runtime.AddCleanup(r, func(id refID) { id.e.release.queue(id.worker, id.n) }, refID{e, worker, n})
	return r
}

// Value fetches the value from its worker.
func (r *ref) Value(ctx context.Context) (any, error) {
	if why, gone := r.e.isGone(r.worker); gone {
		return nil, &exec.LostError{Worker: r.worker, Err: errors.New("held by a worker that " + why)}
	}
	v, _, err := r.e.fetch.fetch(ctx, r.addr, r.n, r.size, r.e.secret)
	if errors.Is(err, errGone) {
		return nil, &exec.LostError{Worker: r.worker, Err: err}
	}
	return v, err
}

func (r *ref) Key() string      { return r.key }
func (r *ref) Location() string { return r.worker }
func (r *ref) Size() int64      { return r.size }

// Release frees the value on its worker (once).
func (r *ref) Release(context.Context) error {
	if !r.released.Swap(true) {
		r.e.release.queue(r.worker, r.n)
	}
	return nil
}

func (r *ref) String() string { return fmt.Sprintf("Chunk(%d bytes on %s)", r.size, r.worker) }

// releaser sends releases to workers in batches, a few times a second.
type releaser struct {
	e    *Executor
	mu   sync.Mutex
	m    map[string][]uint64
	kick chan struct{}
	done chan struct{}
}

func newReleaser(e *Executor) *releaser {
	r := &releaser{e: e, m: map[string][]uint64{}, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go r.loop()
	return r
}

func (r *releaser) queue(worker string, n uint64) {
	if worker == driverWorker {
		r.e.store.release(n)
		return
	}
	r.mu.Lock()
	r.m[worker] = append(r.m[worker], n)
	big := len(r.m[worker]) >= 1024
	r.mu.Unlock()
	if big {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
}

func (r *releaser) loop() {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-r.done:
			r.flush()
			return
		case <-t.C:
		case <-r.kick:
		}
		r.flush()
	}
}

func (r *releaser) flush() {
	r.mu.Lock()
	m := r.m
	r.m = map[string][]uint64{}
	r.mu.Unlock()
	for w, ns := range m {
		if _, gone := r.e.isGone(w); gone {
			continue
		}
		_ = r.e.nc.Publish(r.e.n.control(w), encodeControl(opRelease, ns))
	}
}

func (r *releaser) close() { close(r.done) }
