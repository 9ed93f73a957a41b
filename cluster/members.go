package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairnlabs/cairn/exec"
	"github.com/nats-io/nats.go/jetstream"
)

// watchMembers follows the membership bucket: workers joining, beating,
// draining and leaving.
func (e *Executor) watchMembers(ctx context.Context) {
	for ctx.Err() == nil {
		w, err := e.kv.Watch(ctx, workerPrefix+"*")
		if err != nil {
			if ctx.Err() == nil {
				e.cfg.Logger.Warn("cairn: driver cannot watch workers; trying again", "err", err)
				time.Sleep(time.Second)
			}
			continue
		}
		for ent := range w.Updates() {
			if ent == nil {
				continue // the initial values are in
			}
			id := strings.TrimPrefix(ent.Key(), workerPrefix)
			switch ent.Operation() {
			case jetstream.KeyValueDelete, jetstream.KeyValuePurge:
				e.depart(id, whyLeft)
			default:
				var info memberInfo
				if jsonUnmarshal(ent.Value(), &info) != nil || info.ID != id {
					continue
				}
				e.beatFrom(info)
			}
		}
		_ = w.Stop()
	}
}

// beatFrom records a worker's heartbeat (or arrival). A worker is one
// process: a heartbeat under the identity of a live or departed worker
// from another process (memberInfo.Started differs: a pod restarted under
// its name) is a new worker, and the old process is gone.
func (e *Executor) beatFrom(info memberInfo) {
	e.mu.Lock()
	if m := e.workers[info.ID]; m != nil && info.Driver == e.id && !m.info.Started.Equal(info.Started) {
		e.mu.Unlock()
		e.depart(info.ID, "restarted: a new process took its identity")
		e.mu.Lock()
	}
	defer e.mu.Unlock()
	if e.closed || info.Driver != e.id {
		return // closing, or an entry left by a worker of another driver
	}
	if _, gone := e.gone[info.ID]; gone {
		if inc, known := e.goneInc[info.ID]; !known || inc.Equal(info.Started) {
			// Taken for dead while it lived on (a long pause, a
			// partition): its values were written off; it must leave.
			_ = e.nc.Publish(e.n.control(info.ID), encodeControl(opDrain, nil))
			return
		}
		delete(e.gone, info.ID) // a new process under the identity
		delete(e.goneInc, info.ID)
	}
	m := e.workers[info.ID]
	if m == nil {
		m = &member{outstanding: map[uint64]*call{}}
		e.workers[info.ID] = m
		e.cfg.Logger.Info("cairn: worker joined", "worker", info.ID, "host", info.Host, "slots", info.Slots)
		close(e.joined)
		e.joined = make(chan struct{})
	}
	changed := m.info.Slots != info.Slots || m.info.State != info.State
	m.info, m.seen = info, time.Now()
	if changed {
		e.notifyLocked()
		e.vacateLocked()
	}
}

// whyLeft is why a worker that removed its own entry is gone: it drained
// and said goodbye.
const whyLeft = "left"

// errDeclined answers a call whose worker did not run the task because it
// is leaving (draining): the task is sent to another worker, and it is not
// lost.
var errDeclined = errors.New("cluster: the worker is leaving and did not run the task")

// declined notes that a worker declines tasks: it is draining, whatever
// its last heartbeat said, so no more are placed there.
func (e *Executor) declined(worker string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if m := e.workers[worker]; m != nil && m.info.State != stateDraining {
		m.info.State = stateDraining
		e.notifyLocked()
		e.vacateLocked()
	}
}

// checkLiveness takes workers silent for WorkerTimeout for gone.
func (e *Executor) checkLiveness() {
	e.mu.Lock()
	var silent []string
	for id, m := range e.workers {
		if time.Since(m.seen) > e.cfg.WorkerTimeout {
			silent = append(silent, id)
		}
	}
	e.mu.Unlock()
	for _, id := range silent {
		e.depart(id, fmt.Sprintf("silent for more than %v", e.cfg.WorkerTimeout))
	}
}

// depart takes a worker out: the tasks it had are lost (they run again
// elsewhere), and so are the values it held.
func (e *Executor) depart(id, why string) {
	e.mu.Lock()
	m := e.workers[id]
	if m == nil {
		if _, known := e.gone[id]; !known && why != whyLeft {
			e.gone[id] = why
		}
		e.mu.Unlock()
		return
	}
	delete(e.workers, id)
	e.gone[id] = why
	e.goneInc[id] = m.info.Started
	cs := make([]*call, 0, len(m.outstanding))
	for _, c := range m.outstanding {
		cs = append(cs, c)
	}
	closed := e.closed
	e.notifyLocked()
	e.vacateLocked()
	e.mu.Unlock()
	if !closed {
		e.cfg.Logger.Warn("cairn: worker gone; its tasks run elsewhere, its values are restored or recomputed",
			"worker", id, "why", why, "tasks", len(cs))
		// The purge's bound is taken now, before its tasks are sent again:
		// to a process that took the identity, they go to the same subject.
		e.purgeTasks(id, e.lastSeq())
	}
	for _, c := range cs {
		var err error = &exec.LostError{Worker: id, Err: errors.New("the worker " + why)}
		if why == whyLeft {
			// It drained: it answered every task it took, so these never
			// ran there. They go elsewhere, and are not counted as lost.
			err = errDeclined
		}
		e.finish(c, answer{worker: id, err: err})
	}
	e.mu.Lock()
	for seq, c := range e.ckpts {
		if c.worker == id {
			delete(e.ckpts, seq)
			c.ckpt <- exec.CheckpointOutcome{Err: fmt.Errorf("cluster: worker %s %s before writing the checkpoint", id, why)}
		}
	}
	e.mu.Unlock()
}

// purgeTasks removes from the stream the task messages sent to a departed
// worker up to the stream's sequence last (they run elsewhere): on a
// long-lived server they would stay forever. Messages sent later, to a
// process that took the identity again, are kept. A last of 0 (the
// stream could not be asked) purges nothing.
func (e *Executor) purgeTasks(id string, last uint64) {
	if last == 0 {
		return
	}
	e.goBG(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := e.js.Stream(ctx, e.n.stream())
		if err != nil {
			return
		}
		_ = st.Purge(ctx, jetstream.WithPurgeSubject(e.n.tasks(id)), jetstream.WithPurgeSequence(last+1))
	})
}

// lastSeq returns the task stream's last sequence, or 0 if the server does
// not answer within a few seconds.
func (e *Executor) lastSeq() uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := e.js.Stream(ctx, e.n.stream())
	if err != nil {
		return 0
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0
	}
	return info.State.LastSeq
}
