// Package inflight counts work in progress, for waiting until none is.
package inflight

import "sync"

// Counter counts work in progress. Unlike a sync.WaitGroup, work may be
// added while another goroutine waits: Wait returns at a moment when none
// is in progress. The zero Counter is ready to use; it must not be copied.
type Counter struct {
	mu   sync.Mutex
	cond sync.Cond
	n    int
}

// Add counts one more piece of work.
func (c *Counter) Add() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

// Done counts one piece of work finished.
func (c *Counter) Done() {
	c.mu.Lock()
	c.n--
	if c.n == 0 && c.cond.L != nil {
		c.cond.Broadcast()
	}
	c.mu.Unlock()
}

// Wait blocks until no work is in progress.
func (c *Counter) Wait() {
	c.mu.Lock()
	if c.cond.L == nil {
		c.cond.L = &c.mu
	}
	for c.n > 0 {
		c.cond.Wait()
	}
	c.mu.Unlock()
}
