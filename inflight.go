package cairn

import "sync"

// inflight counts work in progress. Unlike a sync.WaitGroup, work may be
// added while another goroutine waits: wait returns at a moment when none is
// in progress.
type inflight struct {
	mu   sync.Mutex
	cond sync.Cond
	n    int
}

func (w *inflight) add() {
	w.mu.Lock()
	w.n++
	w.mu.Unlock()
}

func (w *inflight) done() {
	w.mu.Lock()
	w.n--
	if w.n == 0 && w.cond.L != nil {
		w.cond.Broadcast()
	}
	w.mu.Unlock()
}

func (w *inflight) wait() {
	w.mu.Lock()
	if w.cond.L == nil {
		w.cond.L = &w.mu
	}
	for w.n > 0 {
		w.cond.Wait()
	}
	w.mu.Unlock()
}
