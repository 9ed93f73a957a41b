package sched

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// A node that finds its input lost runs again once the input is made
// again, and the input's own released inputs are made again with it.
func TestLostDepsAreMadeAgain(t *testing.T) {
	e := NewEngine(2)
	defer e.Close()
	spec := chainSpec(10) // 0 <- 1 <- ... <- 9
	h := newHooks(spec)
	h.lose[9] = []int32{8} // 9 finds 8's value gone: 8 needs 7, released by then
	if _, err := run(t, e, spec, h); err != nil {
		t.Fatal(err)
	}
	if got := h.vals[9]; got != 10 {
		t.Fatalf("target %d, want 10", got)
	}
	for i, n := range h.ran {
		want := int32(2) // everything made again: each value was released
		if n != want {
			t.Fatalf("node %d ran %d times, want %d (ran: %v)", i, n, want, h.ran)
		}
	}
}

// A lost dependency that can be restored is restored, not recomputed, and
// what it needs is not made again.
func TestLostDepRestored(t *testing.T) {
	e := NewEngine(2)
	defer e.Close()
	spec := chainSpec(5)
	spec.Restorable = make([]bool, 5)
	spec.Restorable[3] = true
	h := newHooks(spec)
	h.lose[4] = []int32{3}
	// First restore of 3 misses (nothing stored yet); it is computed, then
	// "checkpointed" so that the second restore hits.
	var restores atomic.Int32
	hooks := &restoreAfterFirst{testHooks: h, restores: &restores}
	if _, err := run(t, e, spec, hooks); err != nil {
		t.Fatal(err)
	}
	if got := h.vals[4]; got != 5 {
		t.Fatalf("target %d, want 5", got)
	}
	want := []int32{1, 1, 1, 1, 2}
	for i, n := range h.ran {
		if n != want[i] {
			t.Fatalf("ran %v, want %v", h.ran, want)
		}
	}
	if restores.Load() != 2 {
		t.Fatalf("%d restores of node 3, want 2", restores.Load())
	}
}

// restoreAfterFirst misses the first restore of each node and hits later
// ones with the value computed meanwhile.
type restoreAfterFirst struct {
	*testHooks
	restores *atomic.Int32
}

func (h *restoreAfterFirst) Restore(ctx context.Context, r *Run, i int32) {
	n := h.restores.Add(1)
	h.mu.Lock()
	if n > 1 {
		h.gone[i] = false
		h.released[i] = false
	}
	h.mu.Unlock()
	go r.RestoreDone(i, n > 1, nil)
}

// A task lost with its worker (no inputs lost) just runs again.
func TestLostTaskRunsAgain(t *testing.T) {
	e := NewEngine(2)
	defer e.Close()
	spec := fanInSpec(20)
	h := newHooks(spec)
	h.lose[5] = nil
	h.lose[19] = []int32{3, 3} // a repeated index is harmless
	if _, err := run(t, e, spec, h); err != nil {
		t.Fatal(err)
	}
	if got := h.vals[19]; got != 20 {
		t.Fatalf("target %d, want 20", got)
	}
	if h.ran[5] != 2 || h.ran[3] != 2 || h.ran[19] != 2 || h.ran[4] != 1 {
		t.Fatalf("ran %v", h.ran)
	}
}

// Two consumers of one lost value: both wait for it to be made again, and
// it is made once.
func TestLostDepSharedByConsumers(t *testing.T) {
	e := NewEngine(1) // one slot: a deterministic order
	defer e.Close()
	// 0 -> 1, 0 -> 2, (1, 2) -> 3
	spec := &Spec{N: 4, DepStart: []int32{0, 0, 1, 2, 4}, Deps: []int32{0, 0, 1, 2}, Targets: []int32{3}}
	h := newHooks(spec)
	h.lose[1] = []int32{0}
	if _, err := run(t, e, spec, h); err != nil {
		t.Fatal(err)
	}
	if got := h.vals[3]; got != 5 {
		t.Fatalf("target %d, want 5", got)
	}
	if h.ran[0] != 2 {
		t.Fatalf("node 0 ran %d times, want 2 (ran %v)", h.ran[0], h.ran)
	}
}

func TestSetSlots(t *testing.T) {
	e := NewEngine(1)
	defer e.Close()
	spec := fanInSpec(400)
	h := newHooks(spec)
	h.block = make(chan struct{})
	r, err := e.Start(context.Background(), spec, h)
	if err != nil {
		t.Fatal(err)
	}
	e.SetSlots(4)
	deadline := time.Now().Add(5 * time.Second)
	for h.running.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := h.running.Load(); n != 4 {
		t.Fatalf("%d running after SetSlots(4)", n)
	}
	e.SetSlots(2)
	if e.Slots() != 2 {
		t.Fatalf("Slots %d", e.Slots())
	}
	h.maxRun.Store(0)
	close(h.block)
	if err := r.Wait(); err != nil {
		t.Fatal(err)
	}
	// Once the four nodes in flight finished, at most two ran at once.
	spec2 := fanInSpec(200)
	h2 := newHooks(spec2)
	h2.block = make(chan struct{})
	time.AfterFunc(50*time.Millisecond, func() { close(h2.block) })
	if _, err := run(t, e, spec2, h2); err != nil {
		t.Fatal(err)
	}
	if m := h2.maxRun.Load(); m != 2 {
		t.Fatalf("max %d running with 2 slots", m)
	}
}

// Shrinking the slots while nodes run never strands a queued node: a
// worker that stops as surplus hands the node it would have taken to an
// idle one.
func TestSetSlotsShrinkNeverStalls(t *testing.T) {
	e := NewEngine(4)
	defer e.Close()
	for round := 0; round < 200; round++ {
		e.SetSlots(4)
		spec := fanInSpec(5)
		h := newHooks(spec)
		h.block = make(chan struct{})
		r, err := e.Start(context.Background(), spec, h)
		if err != nil {
			t.Fatal(err)
		}
		for h.running.Load() < 4 {
			time.Sleep(50 * time.Microsecond)
		}
		e.SetSlots(1)
		close(h.block)
		select {
		case <-r.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: the run stalled after the slots shrank", round)
		}
		if err := r.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// orderHooks records the order nodes run in.
type orderHooks struct {
	*testHooks
	order []int32
}

func (h *orderHooks) Execute(ctx context.Context, i int32, w int) Outcome {
	h.mu.Lock()
	h.order = append(h.order, i)
	h.mu.Unlock()
	return h.testHooks.Execute(ctx, i, w)
}

// A node's consumer runs right after it when it can (depth first): the
// value is released before the next producer runs.
func TestDepthFirst(t *testing.T) {
	e := NewEngine(1)
	defer e.Close()
	// Pairs: producer 2k, consumer 2k+1 of it; the target 20 takes every
	// consumer.
	const pairs = 10
	spec := &Spec{N: 2*pairs + 1, DepStart: make([]int32, 2*pairs+2)}
	for k := int32(0); k < pairs; k++ {
		spec.Deps = append(spec.Deps, 2*k)
		spec.DepStart[2*k+2] = int32(len(spec.Deps))
		spec.DepStart[2*k+1] = spec.DepStart[2*k]
	}
	for k := int32(0); k < pairs; k++ {
		spec.Deps = append(spec.Deps, 2*k+1)
	}
	spec.DepStart[2*pairs+1] = int32(len(spec.Deps))
	spec.Targets = []int32{2 * pairs}
	h := &orderHooks{testHooks: newHooks(spec)}
	if _, err := run(t, e, spec, h); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < pairs; k++ {
		if h.order[2*k]%2 != 0 || h.order[2*k+1] != h.order[2*k]+1 {
			t.Fatalf("order %v: each consumer should run right after its producer", h.order)
		}
	}
}
