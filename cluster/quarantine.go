package cluster

// Quarantine: a task that was lost with its worker is a suspect — it may
// be what killed the worker — and runs alone on a worker of its own, so
// that if it kills that worker too, no other task is lost with it and only
// the suspect is charged (cairn.Config.LostRetries). The rules, under
// Executor.mu:
//
//   - A suspect reserves one ready worker (member.reserved), the least
//     busy one not reserved already, and keeps it until its call ends.
//   - No task is placed on a reserved worker (placeLocked skips them).
//   - The suspect is sent once its reserved worker has no other task
//     outstanding; until then it waits, as tasks wait for a worker to
//     join, on Executor.vacancy.
//   - If its reserved worker leaves or stops being ready while it waits,
//     it reserves another.
//   - A suspect that succeeds is no longer one (Executor.lostOnce).
//
// Suspects are rare (tasks lost with a worker) and run one per worker, so
// after a loss they may wait for running tasks to finish.

// reserveLocked returns the worker that the suspect holding m (nil for
// none yet) may use: m while it is live and ready, else a newly reserved
// one, or nil if every ready worker is reserved.
func (e *Executor) reserveLocked(m *member) *member {
	if m != nil && e.workers[m.info.ID] == m && m.info.State == stateReady {
		return m
	}
	e.unreserveLocked(m)
	var best *member
	for _, w := range e.workers {
		if w.info.State != stateReady || w.reserved {
			continue
		}
		if best == nil || load(w) < load(best) || load(w) == load(best) && w.info.ID < best.info.ID {
			best = w
		}
	}
	if best != nil {
		best.reserved = true
	}
	return best
}

// unreserveLocked gives back a worker a suspect reserved and did not use.
func (e *Executor) unreserveLocked(m *member) {
	if m != nil && m.reserved {
		m.reserved = false
		e.vacateLocked()
	}
}

// vacateLocked wakes the sends waiting for a worker: one joined, one
// changed state, or a task ended.
func (e *Executor) vacateLocked() {
	close(e.vacancy)
	e.vacancy = make(chan struct{})
}
