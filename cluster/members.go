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
				e.depart(id, "left")
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

// beatFrom records a worker's heartbeat (or arrival).
func (e *Executor) beatFrom(info memberInfo) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, gone := e.gone[info.ID]; gone || e.closed {
		return // it was taken for dead: its values are lost; it must leave
	}
	if info.Driver != e.id {
		return // an entry left by a worker of another driver
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
		if _, known := e.gone[id]; !known && why != "left" {
			e.gone[id] = why
		}
		e.mu.Unlock()
		return
	}
	delete(e.workers, id)
	e.gone[id] = why
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
	}
	for _, c := range cs {
		e.finish(c, answer{worker: id, err: &exec.LostError{Worker: id, Err: errors.New("the worker " + why)}})
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
