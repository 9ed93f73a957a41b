package sched

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"
)

type stressHooks struct {
	spec     *Spec
	rng      *rand.Rand
	mu       sync.Mutex
	has      []bool // value present
	released []int
	ran      []int
	failed   []bool
	hit      []bool
	rerr     []bool
	fail     []bool
	retry    []int
	asyncR   []bool
	sleepy   bool
	target   []bool
	errs     []string
	restores []int
}

func (h *stressHooks) bad(f string, a ...any) {
	h.errs = append(h.errs, fmt.Sprintf(f, a...))
}

func (h *stressHooks) Execute(ctx context.Context, i int32, w int) Outcome {
	if h.sleepy {
		time.Sleep(time.Duration(i%3) * 50 * time.Microsecond)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ran[i]++
	for _, d := range h.spec.Deps[h.spec.DepStart[i]:h.spec.DepStart[i+1]] {
		if !h.has[d] {
			h.bad("node %d ran but dep %d has no value", i, d)
		}
		if h.released[d] > 0 {
			h.bad("node %d read released dep %d", i, d)
		}
		if h.failed[d] {
			h.bad("node %d ran after dep %d failed", i, d)
		}
	}
	if h.retry[i] > 0 {
		h.retry[i]--
		return Outcome{Retry: time.Microsecond * 100}
	}
	if h.fail[i] {
		h.failed[i] = true
		return Outcome{Err: errors.New("fail")}
	}
	h.has[i] = true
	return Outcome{}
}

func (h *stressHooks) Restore(ctx context.Context, r *Run, i int32) {
	h.mu.Lock()
	h.restores[i]++
	hit, rerr, async := h.hit[i], h.rerr[i], h.asyncR[i]
	h.mu.Unlock()
	answer := func() {
		var err error
		if rerr {
			err = errors.New("restore err")
			h.mu.Lock()
			h.failed[i] = true
			h.mu.Unlock()
			r.RestoreDone(i, false, err)
			return
		}
		if hit {
			h.mu.Lock()
			h.has[i] = true
			h.mu.Unlock()
		}
		r.RestoreDone(i, hit, nil)
	}
	if async {
		go func() { time.Sleep(50 * time.Microsecond); answer() }()
	} else {
		answer()
	}
}

// Release is called with the engine lock held.
func (h *stressHooks) Release(i int32) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.released[i]++
	if h.released[i] > 1 {
		h.bad("node %d released twice", i)
	}
	if h.target[i] {
		h.bad("target %d released", i)
	}
}
func (h *stressHooks) Scheduled(int32) {}

func randomSpec(rng *rand.Rand) *Spec {
	n := int32(2 + rng.Intn(40))
	s := &Spec{N: n, DepStart: make([]int32, n+1)}
	for i := int32(0); i < n; i++ {
		seen := map[int32]bool{}
		if i > 0 {
			k := rng.Intn(4)
			for j := 0; j < k; j++ {
				d := int32(rng.Intn(int(i)))
				if !seen[d] {
					seen[d] = true
					s.Deps = append(s.Deps, d)
				}
			}
		}
		s.DepStart[i+1] = int32(len(s.Deps))
	}
	s.Targets = []int32{n - 1}
	if rng.Intn(3) == 0 {
		s.Targets = append(s.Targets, int32(rng.Intn(int(n))))
	}
	if rng.Intn(2) == 0 {
		s.Restorable = make([]bool, n)
		for i := range s.Restorable {
			s.Restorable[i] = rng.Intn(3) == 0
		}
	}
	if rng.Intn(3) == 0 {
		s.Priority = make([]int32, n)
		for i := range s.Priority {
			s.Priority[i] = int32(rng.Intn(5) - 2)
		}
	}
	s.KeepGoing = rng.Intn(2) == 0
	return s
}

func TestReviewStress(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	e := NewEngine(1 + rng.Intn(4))
	defer e.Close()
	for iter := 0; iter < 3000; iter++ {
		spec := randomSpec(rng)
		n := spec.N
		h := &stressHooks{spec: spec, has: make([]bool, n), released: make([]int, n), ran: make([]int, n),
			failed: make([]bool, n), hit: make([]bool, n), rerr: make([]bool, n), fail: make([]bool, n),
			retry: make([]int, n), asyncR: make([]bool, n), target: make([]bool, n), restores: make([]int, n),
			sleepy: rng.Intn(2) == 0}
		for _, t := range spec.Targets {
			h.target[t] = true
		}
		anyFail := rng.Intn(3) == 0
		for i := int32(0); i < n; i++ {
			h.hit[i] = rng.Intn(2) == 0
			h.rerr[i] = anyFail && rng.Intn(10) == 0
			h.fail[i] = anyFail && rng.Intn(8) == 0
			if rng.Intn(10) == 0 {
				h.retry[i] = 1 + rng.Intn(2)
			}
			h.asyncR[i] = rng.Intn(2) == 0
		}
		ctx, cancel := context.WithCancel(context.Background())
		doCancel := rng.Intn(6) == 0
		r, err := e.Start(ctx, spec, h)
		if err != nil {
			t.Fatal(err)
		}
		if doCancel {
			d := time.Duration(rng.Int63n(200)) * time.Microsecond
			go func() { time.Sleep(d); cancel() }()
		}
		select {
		case <-r.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("iter %d: run hung; states %v", iter, r.States())
		}
		werr := r.Wait()
		cancel()
		// Let stragglers (cancelled executes, async restores) finish.
		time.Sleep(time.Millisecond)
		states := r.States()
		h.mu.Lock()
		if werr == nil {
			for _, tg := range spec.Targets {
				if !h.has[tg] {
					h.bad("run succeeded but target %d has no value (state %v)", tg, states[tg])
				}
			}
		}
		for i := int32(0); i < n; i++ {
			if h.restores[i] > 1 {
				h.bad("node %d restore asked %d times", i, h.restores[i])
			}
			if !doCancel && werr != nil && spec.KeepGoing {
				switch states[i] {
				case Waiting, Queued, Running, Restoring:
					// A waiting node whose deps all have values was stranded.
					ok := true
					for _, d := range spec.Deps[spec.DepStart[i]:spec.DepStart[i+1]] {
						if states[d] != Done && states[d] != Restored {
							ok = false
						}
					}
					if ok {
						h.bad("KeepGoing: node %d left %v with all deps available", i, states[i])
					}
				}
			}
		}
		if len(h.errs) > 0 {
			t.Fatalf("iter %d (keepgoing=%v cancel=%v err=%v): %v\nspec %+v\nstates %v", iter, spec.KeepGoing, doCancel, werr, h.errs, spec, states)
		}
		h.mu.Unlock()
	}
}
