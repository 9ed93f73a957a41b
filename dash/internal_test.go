package dash

import (
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
)

func TestStateAfter(t *testing.T) {
	for _, tc := range []struct {
		from State
		kind cairn.EventKind
		want State
	}{
		{Pending, cairn.ThunkScheduled, Queued},
		{Queued, cairn.ThunkStarted, Running},
		{Running, cairn.ThunkFinished, Done},
		{Done, cairn.ThunkCheckpointed, Checkpointed},
		{Running, cairn.ThunkFailed, Failed},
		{Failed, cairn.ThunkCheckpointed, Failed}, // a required checkpoint failed the thunk
		{Running, cairn.ThunkRetrying, Retrying},
		{Retrying, cairn.ThunkScheduled, Queued},
		{Pending, cairn.ThunkRestored, Restored},
		{Pending, cairn.RestoreMissed, Pending},
		{Pending, cairn.RestoreFailed, Pending},
		{Pending, cairn.ThunkPruned, Pruned},
		{Pending, cairn.ThunkSkipped, Skipped},
		{Done, cairn.CheckpointFailed, Done},
		{Running, cairn.ThunkScheduled, Running},
		// A cluster run: lost with its worker, a thunk waits to run again.
		{Running, cairn.ThunkLost, Pending},
		{Queued, cairn.ThunkLost, Pending}, // its inputs were lost before it ran
		{Done, cairn.ThunkLost, Done},
		// Scheduled may come late, after the thunk started or finished on
		// another goroutine: it moves only a thunk that waits.
		{Done, cairn.ThunkScheduled, Done},
		{Checkpointed, cairn.ThunkScheduled, Checkpointed},
		{Restored, cairn.ThunkScheduled, Restored},
		{Failed, cairn.ThunkScheduled, Failed},
	} {
		if got := tc.from.after(tc.kind); got != tc.want {
			t.Errorf("%v after %v = %v, want %v", tc.from, tc.kind, got, tc.want)
		}
	}
	for s := range numStates {
		if s.String() == "" || s.Color()[0] != '#' {
			t.Errorf("state %d has no name or colour", s)
		}
		if s.final() != (s >= Done) {
			t.Errorf("%v.final() = %v", s, s.final())
		}
	}
	if State(99).String() != "State(99)" {
		t.Error(State(99).String())
	}
}

func TestTaskRing(t *testing.T) {
	r := taskRing{buf: make([]task, 4)}
	for i := range 3 {
		r.add(task{Slot: i})
	}
	got, lost := r.since(1)
	if lost || len(got) != 2 || got[0].Seq != 1 || got[1].Slot != 2 {
		t.Fatalf("since(1) = %+v, %v", got, lost)
	}
	for i := 3; i < 10; i++ {
		r.add(task{Slot: i})
	}
	got, lost = r.since(2)
	if !lost || len(got) != 4 || got[0].Seq != 6 || got[3].Seq != 9 {
		t.Fatalf("after overwrite, since(2) = %+v, %v: want tasks 6..9 and lost", got, lost)
	}
	if got, lost = r.since(10); lost || len(got) != 0 {
		t.Fatalf("since(next) = %+v, %v", got, lost)
	}
}

func TestMaxRunsForgetsOldest(t *testing.T) {
	d := New(&Options{MaxRuns: 2})
	x := cairn.Delayed(func(a int) int { return a })(1)
	for id := uint64(1); id <= 3; id++ {
		d.OnEvent(cairn.Event{Kind: cairn.RunStarted, Run: id, Thunks: []*cairn.Thunk{x}})
		if id != 2 {
			d.OnEvent(cairn.Event{Kind: cairn.RunFinished, Run: id})
		}
	}
	// Run 1 (finished) goes; run 2 (still running) stays.
	if d.run(1) != nil || d.run(2) == nil || d.run(3) == nil {
		t.Errorf("runs kept: %d", len(d.runs))
	}
}

func TestLayoutNodes(t *testing.T) {
	var xs []*cairn.Thunk
	var args []any
	for i := range 64 {
		x := cairn.Delayed(func(a int) int { return a })(i)
		xs = append(xs, x)
		args = append(args, x)
	}
	z := cairn.Delayed(func(a ...int) int { return len(a) })(args...)
	g := newGraph(append(xs, z), false)
	lay := layoutNodes(g)
	if len(lay.Layers) != 2 || lay.Layers[0].N != 64 || lay.Layers[1].N != 1 {
		t.Fatalf("layers %+v", lay.Layers)
	}
	if len(lay.Edges) != 64 {
		t.Errorf("%d edges, want 64", len(lay.Edges))
	}
	// 64 small boxes wrap into two balanced rows of 32; z is a labelled box
	// below them.
	rows := map[float64]int{}
	for _, n := range lay.Nodes[:64] {
		rows[n.Y]++
	}
	if len(rows) != 2 {
		t.Errorf("rows %v, want two of 32", rows)
	}
	for _, c := range rows {
		if c != 32 {
			t.Errorf("rows %v, want two of 32", rows)
		}
	}
	if zn := lay.Nodes[64]; zn.Label == "" || zn.Y <= lay.Nodes[63].Y || zn.W != bigW {
		t.Errorf("z: %+v", zn)
	}
}

func BenchmarkOnEvent(b *testing.B) {
	d := New(nil)
	const n = 10000
	thunks := make([]*cairn.Thunk, n)
	for i := range thunks {
		thunks[i] = cairn.Delayed(func(a int) int { return a })(i)
	}
	now := time.Now()
	d.OnEvent(cairn.Event{Kind: cairn.RunStarted, Run: 1, Time: now, Thunks: thunks})
	kinds := []cairn.EventKind{cairn.ThunkScheduled, cairn.ThunkStarted, cairn.ThunkFinished, cairn.ThunkCheckpointed}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d.OnEvent(cairn.Event{Kind: kinds[i%4], Run: 1, Time: now, Thunk: thunks[(i/4)%n], Slot: i % 8})
	}
}

func BenchmarkMessage100k(b *testing.B) {
	d := New(nil)
	const n = 100_000
	thunks := make([]*cairn.Thunk, n)
	for i := range thunks {
		thunks[i] = cairn.Delayed(func(a int) int { return a })(i)
	}
	d.OnEvent(cairn.Event{Kind: cairn.RunStarted, Run: 1, Time: time.Now(), Thunks: thunks})
	var c cursor
	d.message(&c, 0) // layout
	for b.Loop() {
		d.message(&c, 0)
	}
}

func BenchmarkRunStarted100k(b *testing.B) {
	const n = 100_000
	thunks := make([]*cairn.Thunk, n)
	var args []any
	for i := range thunks[:n-1] {
		thunks[i] = cairn.Delayed(func(a int) int { return a })(i)
		args = append(args, thunks[i])
	}
	thunks[n-1] = cairn.Delayed(func(a ...int) int { return len(a) })(args...)
	d := New(nil)
	for i := 0; b.Loop(); i++ {
		d.OnEvent(cairn.Event{Kind: cairn.RunStarted, Run: uint64(i + 1), Time: time.Now(), Thunks: thunks})
	}
}
