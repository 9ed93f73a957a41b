package sched

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testHooks computes node values as 1 + the sum of the dependencies' values.
type testHooks struct {
	spec     *Spec
	mu       sync.Mutex
	vals     []int64
	ran      []int32
	restored map[int32]int64 // values restorable per node
	fail     map[int32]error
	retries  map[int32]int // node -> times to ask for a retry
	block    chan struct{} // if set, Execute waits for it
	released []bool
	lose     map[int32][]int32 // node -> deps whose values it finds lost, once
	gone     []bool            // values lost
	running  atomic.Int32
	maxRun   atomic.Int32
}

func newHooks(spec *Spec) *testHooks {
	return &testHooks{spec: spec, vals: make([]int64, spec.N), ran: make([]int32, spec.N),
		released: make([]bool, spec.N), restored: map[int32]int64{}, fail: map[int32]error{}, retries: map[int32]int{},
		lose: map[int32][]int32{}, gone: make([]bool, spec.N)}
}

func (h *testHooks) Execute(ctx context.Context, i int32, w int) Outcome {
	n := h.running.Add(1)
	defer h.running.Add(-1)
	for {
		m := h.maxRun.Load()
		if n <= m || h.maxRun.CompareAndSwap(m, n) {
			break
		}
	}
	if h.block != nil {
		select {
		case <-h.block:
		case <-ctx.Done():
			return Outcome{Err: ctx.Err()}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ran[i]++
	if h.retries[i] > 0 {
		h.retries[i]--
		return Outcome{Retry: time.Millisecond}
	}
	if err := h.fail[i]; err != nil {
		return Outcome{Err: err}
	}
	if lost, ok := h.lose[i]; ok {
		delete(h.lose, i)
		for _, d := range lost {
			h.gone[d] = true
		}
		return Outcome{Lost: true, LostDeps: lost}
	}
	// As the runner does, a node whose input is gone reports it lost
	// rather than reading it.
	var gone []int32
	for _, d := range h.spec.Deps[h.spec.DepStart[i]:h.spec.DepStart[i+1]] {
		if h.gone[d] {
			gone = append(gone, d)
		}
	}
	if gone != nil {
		return Outcome{Lost: true, LostDeps: gone}
	}
	v := int64(1)
	for _, d := range h.spec.Deps[h.spec.DepStart[i]:h.spec.DepStart[i+1]] {
		if h.released[d] {
			panic(fmt.Sprintf("node %d read the released value of %d", i, d))
		}
		v += h.vals[d]
	}
	h.vals[i] = v
	h.gone[i] = false
	h.released[i] = false
	return Outcome{}
}

func (h *testHooks) Restore(ctx context.Context, r *Run, i int32) {
	h.mu.Lock()
	v, ok := h.restored[i]
	if ok {
		h.vals[i] = v
		h.gone[i] = false
		h.released[i] = false
	}
	h.mu.Unlock()
	go r.RestoreDone(i, ok, nil)
}

func (h *testHooks) Release(i int32) { h.released[i] = true }
func (h *testHooks) Scheduled(int32) {}

// chainSpec: node i depends on i-1; the target is the last.
func chainSpec(n int32) *Spec {
	s := &Spec{N: n, DepStart: make([]int32, n+1)}
	for i := int32(1); i < n; i++ {
		s.Deps = append(s.Deps, i-1)
		s.DepStart[i+1] = int32(len(s.Deps))
	}
	s.Targets = []int32{n - 1}
	return s
}

// fanInSpec: nodes 0..n-2 are leaves, node n-1 takes them all.
func fanInSpec(n int32) *Spec {
	s := &Spec{N: n, DepStart: make([]int32, n+1)}
	for i := int32(0); i < n-1; i++ {
		s.Deps = append(s.Deps, i)
	}
	s.DepStart[n] = int32(len(s.Deps))
	s.Targets = []int32{n - 1}
	return s
}

func run(t *testing.T, e *Engine, spec *Spec, h Hooks) (*Run, error) {
	t.Helper()
	r, err := e.Start(context.Background(), spec, h)
	if err != nil {
		t.Fatal(err)
	}
	return r, r.Wait()
}

func TestChainAndFanIn(t *testing.T) {
	e := NewEngine(4)
	defer e.Close()
	for _, tc := range []struct {
		name string
		spec *Spec
		want int64
	}{
		{"chain", chainSpec(1000), 1000},
		{"fan-in", fanInSpec(1000), 1000},
		{"single", chainSpec(1), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHooks(tc.spec)
			r, err := run(t, e, tc.spec, h)
			if err != nil {
				t.Fatal(err)
			}
			if got := h.vals[tc.spec.N-1]; got != tc.want {
				t.Fatalf("target value %d, want %d", got, tc.want)
			}
			for i, n := range h.ran {
				if n != 1 {
					t.Fatalf("node %d ran %d times", i, n)
				}
			}
			if s := r.State(tc.spec.N - 1); s != Done {
				t.Fatalf("target state %v", s)
			}
		})
	}
}

func TestParallelismBound(t *testing.T) {
	e := NewEngine(3)
	defer e.Close()
	spec := fanInSpec(200)
	h := newHooks(spec)
	h.block = make(chan struct{})
	go func() {
		time.Sleep(100 * time.Millisecond) // time for every slot to take a node
		close(h.block)
	}()
	if _, err := run(t, e, spec, h); err != nil {
		t.Fatal(err)
	}
	if m := h.maxRun.Load(); m > 3 || m < 2 {
		t.Fatalf("max concurrent executions %d, want 2..3 with 3 slots", m)
	}
}

func TestFailureSkipsDependents(t *testing.T) {
	e := NewEngine(2)
	defer e.Close()
	// 0 -> 1 -> 3, 2 -> 3; node 1 fails.
	spec := &Spec{N: 4, DepStart: []int32{0, 0, 1, 1, 3}, Deps: []int32{0, 1, 2}, Targets: []int32{3}}
	h := newHooks(spec)
	boom := errors.New("boom")
	h.fail[1] = boom
	r, err := run(t, e, spec, h)
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
	if r.FailedNode() != 1 {
		t.Fatalf("failed node %d", r.FailedNode())
	}
	if h.ran[3] != 0 {
		t.Fatal("dependent of a failed node ran")
	}
	if s := r.State(3); s != Skipped {
		t.Fatalf("dependent state %v, want skipped", s)
	}
}

func TestKeepGoingRunsIndependentWork(t *testing.T) {
	e := NewEngine(1)
	defer e.Close()
	// Leaves 0..9 into 10; leaf 0 fails first (priority), the others still run.
	spec := fanInSpec(11)
	spec.Priority = make([]int32, 11)
	spec.Priority[0] = 10
	spec.KeepGoing = true
	h := newHooks(spec)
	h.fail[0] = errors.New("boom")
	_, err := run(t, e, spec, h)
	if err == nil {
		t.Fatal("want an error")
	}
	for i := 1; i < 10; i++ {
		if h.ran[i] != 1 {
			t.Fatalf("independent leaf %d ran %d times under KeepGoing", i, h.ran[i])
		}
	}
	if h.ran[10] != 0 {
		t.Fatal("target ran")
	}
}

func TestFailFastStopsNewWork(t *testing.T) {
	e := NewEngine(1)
	defer e.Close()
	spec := fanInSpec(11)
	spec.Priority = make([]int32, 11)
	spec.Priority[0] = 10
	h := newHooks(spec)
	h.fail[0] = errors.New("boom")
	if _, err := run(t, e, spec, h); err == nil {
		t.Fatal("want an error")
	}
	total := int32(0)
	for _, n := range h.ran {
		total += n
	}
	if total != 1 {
		t.Fatalf("%d executions after a fail-fast failure on one slot, want 1", total)
	}
}

func TestDemandDrivenRestorePrunes(t *testing.T) {
	e := NewEngine(2)
	defer e.Close()
	// chain 0 -> 1 -> 2 -> 3; node 2 restorable with value 100.
	spec := chainSpec(4)
	spec.Restorable = []bool{true, true, true, true}
	h := newHooks(spec)
	h.restored[2] = 100
	r, err := run(t, e, spec, h)
	if err != nil {
		t.Fatal(err)
	}
	if h.vals[3] != 101 {
		t.Fatalf("target %d, want 101", h.vals[3])
	}
	if h.ran[0]+h.ran[1]+h.ran[2] != 0 {
		t.Fatalf("upstream ran: %v", h.ran)
	}
	st := r.States()
	if st[0] != Unneeded || st[1] != Unneeded || st[2] != Restored || st[3] != Done {
		t.Fatalf("states %v", st)
	}
}

func TestRetry(t *testing.T) {
	e := NewEngine(2)
	defer e.Close()
	spec := chainSpec(3)
	h := newHooks(spec)
	h.retries[1] = 2
	if _, err := run(t, e, spec, h); err != nil {
		t.Fatal(err)
	}
	if h.ran[1] != 3 || h.vals[2] != 3 {
		t.Fatalf("ran %v vals %v", h.ran, h.vals)
	}
}

func TestCancelIsPrompt(t *testing.T) {
	e := NewEngine(2)
	defer e.Close()
	spec := fanInSpec(100)
	h := newHooks(spec)
	h.block = make(chan struct{}) // never closed: executions wait for ctx
	ctx, cancel := context.WithCancel(context.Background())
	r, err := e.Start(ctx, spec, h)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(10*time.Millisecond, cancel)
	select {
	case <-r.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
	if !errors.Is(r.Wait(), context.Canceled) {
		t.Fatalf("err %v", r.Wait())
	}
}

func TestReleaseAfterConsumers(t *testing.T) {
	e := NewEngine(2)
	defer e.Close()
	spec := chainSpec(50)
	h := newHooks(spec)
	if _, err := run(t, e, spec, h); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 49; i++ {
		if !h.released[i] {
			t.Fatalf("node %d not released", i)
		}
	}
	if h.released[49] {
		t.Fatal("target released")
	}
}

func TestBadSpec(t *testing.T) {
	e := NewEngine(1)
	defer e.Close()
	for _, s := range []*Spec{
		{N: 2, DepStart: []int32{0, 0}, Targets: []int32{0}},
		{N: 1, DepStart: []int32{0, 0}},
		{N: 1, DepStart: []int32{0, 1}, Deps: []int32{5}, Targets: []int32{0}},
	} {
		if _, err := e.Start(context.Background(), s, newHooks(&Spec{N: 2})); err == nil {
			t.Fatalf("spec %+v accepted", s)
		}
	}
}

func TestCloseEndsRuns(t *testing.T) {
	e := NewEngine(1)
	spec := fanInSpec(10)
	h := newHooks(spec)
	h.block = make(chan struct{})
	r, err := e.Start(context.Background(), spec, h)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		close(h.block)
	}()
	e.Close()
	if err := r.Wait(); !errors.Is(err, ErrClosed) {
		t.Fatalf("err %v, want ErrClosed", err)
	}
	if _, err := e.Start(context.Background(), spec, h); !errors.Is(err, ErrClosed) {
		t.Fatalf("start after close: %v", err)
	}
}

func TestQueueOrder(t *testing.T) {
	var q readyQueue
	for i, p := range []int32{0, 5, 0, 5, 1} {
		q.push(item{prio: p, seq: uint64(i), node: int32(i)})
	}
	var got []int32
	q.push(item{prio: -1, seq: 9, node: 9})
	for q.len() > 0 {
		got = append(got, q.pop().node)
	}
	want := []int32{1, 3, 4, 0, 2, 9}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	// Hot nodes of priority 0 go before the others, newest first; after
	// positive priorities, before negative ones.
	for i, it := range []item{{prio: 0, node: 0}, {prio: 0, hot: true, node: 1}, {prio: 2, node: 2},
		{prio: 0, hot: true, node: 3}, {prio: -1, node: 4}, {prio: 0, node: 5}} {
		it.seq = uint64(i)
		q.push(it)
	}
	got = got[:0]
	for q.len() > 0 {
		got = append(got, q.pop().node)
	}
	want = []int32{2, 3, 1, 0, 5, 4}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order with hot nodes %v, want %v", got, want)
		}
	}
}

func TestDiamondRunsSharedNodeOnce(t *testing.T) {
	e := NewEngine(2)
	defer e.Close()
	// 3 depends on 0 and 2; 2 depends on 1; 1 depends on 0.
	spec := &Spec{N: 4, DepStart: []int32{0, 0, 1, 2, 4}, Deps: []int32{0, 1, 0, 2}, Targets: []int32{3}}
	h := newHooks(spec)
	if _, err := run(t, e, spec, h); err != nil {
		t.Fatal(err)
	}
	for i, n := range h.ran {
		if n != 1 {
			t.Fatalf("node %d ran %d times", i, n)
		}
	}
	if h.vals[3] != 1+1+(1+(1+1)) {
		t.Fatalf("value %d", h.vals[3])
	}
}
