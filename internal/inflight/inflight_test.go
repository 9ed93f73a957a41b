package inflight

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestWaitReturnsWhenIdleAndAllowsAddDuringWait(t *testing.T) {
	var c Counter
	c.Wait() // nothing in progress: at once
	var finished atomic.Int32
	for i := 0; i < 4; i++ {
		c.Add()
		go func() {
			time.Sleep(10 * time.Millisecond)
			c.Add() // more work added while Wait is waiting
			finished.Add(1)
			c.Done()
			c.Done()
		}()
	}
	c.Wait()
	if finished.Load() != 4 {
		t.Fatalf("Wait returned with %d of 4 finished", finished.Load())
	}
}
