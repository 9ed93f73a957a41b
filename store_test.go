package cairn_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/filestore"
	_ "github.com/cairnlabs/cairn/checkpoint/memstore"
)

// Call counters of the registered functions below, per test.
var genCalls, squareCalls, totalCalls atomic.Int32

func gen(i int) []float64 { genCalls.Add(1); return []float64{float64(i), float64(i) / 2} }
func square(x []float64) float64 {
	squareCalls.Add(1)
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s
}
func total(xs ...float64) float64 {
	totalCalls.Add(1)
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

var (
	genFn    = cairn.Register("test.gen", gen)
	squareV1 = cairn.Register("test.square", square)
	squareV2 = cairn.Register("test.square.v2", square, cairn.Version("2"))
	totalFn  = cairn.Register("test.total", total)
	cheapFn  = cairn.Register("test.cheap", func(x float64) float64 { return x }, cairn.NoCheckpoint())
)

func resetCalls() { genCalls.Store(0); squareCalls.Store(0); totalCalls.Store(0) }

func calls() [3]int32 { return [3]int32{genCalls.Load(), squareCalls.Load(), totalCalls.Load()} }

// graph is n gen -> square pairs into one total; leaf k gets input inputs[k].
func storeGraph(inputs []int, sq *cairn.Func) *cairn.Thunk {
	ys := make([]*cairn.Thunk, len(inputs))
	for k, in := range inputs {
		ys[k] = cairn.Delayed(sq)(cairn.Delayed(genFn)(in))
	}
	return cairn.Delayed(totalFn)(cairn.Args(ys)...)
}

func openStore(t *testing.T, url string) *checkpoint.Store {
	t.Helper()
	st, err := checkpoint.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func collectWith(t *testing.T, st *checkpoint.Store, th *cairn.Thunk) (float64, *logged) {
	t.Helper()
	l := &logged{}
	s := cairn.New(&cairn.Config{Checkpoints: st, Listeners: []cairn.Listener{l}, Logger: discard()})
	defer s.Close()
	v, err := cairn.Collect[float64](context.Background(), s, th)
	if err != nil {
		t.Fatal(err)
	}
	return v, l
}

func TestAutomaticCheckpointsRecomputeExactlyWhatChanged(t *testing.T) {
	for _, url := range []string{"mem://", "file://" + t.TempDir()} {
		t.Run(strings.SplitN(url, ":", 2)[0], func(t *testing.T) {
			st := openStore(t, url)
			inputs := []int{1, 2, 3, 4, 5, 6}
			resetCalls()
			want, _ := collectWith(t, st, storeGraph(inputs, squareV1))
			if c := calls(); c != [3]int32{6, 6, 1} {
				t.Fatalf("first run calls %v", c)
			}

			// Same graph, new thunks, new scheduler: the final result is
			// restored and nothing runs.
			resetCalls()
			got, l := collectWith(t, st, storeGraph(inputs, squareV1))
			if got != want || calls() != [3]int32{0, 0, 0} {
				t.Fatalf("rerun: %v (want %v), calls %v", got, want, calls())
			}
			if l.count(cairn.ThunkRestored) != 1 || l.count(cairn.ThunkPruned) != 12 {
				t.Fatalf("restored %d, pruned %d", l.count(cairn.ThunkRestored), l.count(cairn.ThunkPruned))
			}

			// One input changed: its gen, its square and the total rerun.
			inputs[2] = 30
			resetCalls()
			got, _ = collectWith(t, st, storeGraph(inputs, squareV1))
			if c := calls(); c != [3]int32{1, 1, 1} {
				t.Fatalf("after changing one input, calls %v, want [1 1 1]", c)
			}
			if want2 := want - square(gen(3)) + square(gen(30)); got != want2 {
				t.Fatalf("got %v, want %v", got, want2)
			}

			// A new version of square: every square and the total rerun;
			// the gens are restored.
			resetCalls()
			collectWith(t, st, storeGraph(inputs, squareV2))
			if c := calls(); c != [3]int32{0, 6, 1} {
				t.Fatalf("after a version bump, calls %v, want [0 6 1]", c)
			}
		})
	}
}

func TestCorruptCheckpointIsRecomputed(t *testing.T) {
	dir := t.TempDir()
	// Entries in files of their own, to damage them one by one; the
	// filestore's tests damage packed entries.
	st := openStore(t, "file://"+dir+"?pack=false")
	inputs := []int{1, 2, 3}
	resetCalls()
	want, _ := collectWith(t, st, storeGraph(inputs, squareV1))

	// Damage every stored checkpoint: flip a byte near the end of each.
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || strings.Contains(p, "/.cairn/") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b[len(b)-1] ^= 0xff
		n++
		return os.WriteFile(p, b, 0o600)
	})
	if n < 7 {
		t.Fatalf("damaged %d files, want the 7 checkpoints", n)
	}
	resetCalls()
	got, l := collectWith(t, st, storeGraph(inputs, squareV1))
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	if c := calls(); c != [3]int32{3, 3, 1} {
		t.Fatalf("calls %v: every corrupt checkpoint must be recomputed", c)
	}
	if l.count(cairn.RestoreFailed) == 0 {
		t.Fatal("corrupt checkpoints were not reported")
	}
	if err := l.eventErr(cairn.RestoreFailed); !errors.Is(err, checkpoint.ErrCorrupt) {
		t.Fatalf("restore-failed error %v, want ErrCorrupt", err)
	}
}

func TestKeys(t *testing.T) {
	a := storeGraph([]int{1, 2}, squareV1)
	b := storeGraph([]int{1, 2}, squareV1)
	c := storeGraph([]int{1, 3}, squareV1)
	ka, err := a.Key()
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := b.Key()
	kc, _ := c.Key()
	if ka != kb || ka == kc {
		t.Fatalf("keys: same graph %q %q, changed input %q", ka, kb, kc)
	}
	if !strings.HasPrefix(ka, "test.total/") || checkpoint.ValidateKey(ka) != nil {
		t.Fatalf("key %q", ka)
	}
	// Closures have no key unless registered or given one.
	x := 3
	cl := cairn.Delayed(func() int { return x })()
	if _, err := cl.Key(); !errors.Is(err, cairn.ErrUnkeyable) {
		t.Fatalf("closure key err %v", err)
	}
	if _, err := cairn.Delayed(func(x int) int { return x })(cl).Key(); !errors.Is(err, cairn.ErrUnkeyable) {
		t.Fatalf("downstream of a closure: %v", err)
	}
	k, err := cairn.Delayed(func() int { return x }, cairn.Options{Key: "mine/x-3"})().Key()
	if err != nil || k != "mine/x-3" {
		t.Fatalf("explicit key %q, %v", k, err)
	}
	if _, err := cairn.Delayed(func() int { return x }, cairn.Options{Key: "../escape"})().Key(); err == nil {
		t.Fatal("a key escaping the store was accepted")
	}
	// A literal that cannot be hashed.
	if _, err := cairn.Delayed(func(f func()) int { return 1 })(func() {}).Key(); !errors.Is(err, cairn.ErrUnkeyable) {
		t.Fatalf("func literal argument: %v", err)
	}
}

func TestOptOutAndClosuresAreNotStored(t *testing.T) {
	st := openStore(t, "mem://")
	var n atomic.Int32
	x := 2
	cl := cairn.Delayed(func() float64 { n.Add(1); return float64(x) })()
	opt := cairn.Delayed(totalFn, cairn.Options{NoCheckpoint: true})(1.0, 2.0)
	cheap := cairn.Delayed(cheapFn)(1.0)
	for i := 0; i < 2; i++ {
		collectWith(t, st, cl)
		collectWith(t, st, opt)
		collectWith(t, st, cheap)
	}
	if n.Load() != 2 {
		t.Fatalf("closure ran %d times, want 2 (not checkpointed)", n.Load())
	}
	count := 0
	st.List(context.Background(), "", func(checkpoint.Info) error { count++; return nil })
	if count != 0 {
		t.Fatalf("%d entries stored, want none", count)
	}
}

// TestFinalResultStandsAlone checks that a run's single target is
// checkpointed on its own (a file of its own in a file store), so that a
// rerun restores it without indexing the store's packs, while the other
// checkpoints are packed.
func TestFinalResultStandsAlone(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, "file://"+dir+"?fsync=false")
	z := storeGraph([]int{1, 2}, squareV1)
	first, _ := collectWith(t, st, z)
	own := func(th *cairn.Thunk) bool {
		k, err := th.Key()
		if err != nil {
			t.Fatal(err)
		}
		_, err = os.Stat(filepath.Join(dir, filepath.FromSlash(k)+"~ck"))
		return err == nil
	}
	if !own(z) {
		t.Error("the run's target has no file of its own")
	}
	for _, y := range z.Inputs() {
		if own(y) {
			t.Errorf("%s, not a target, has a file of its own", y.Name())
		}
	}
	if v, l := collectWith(t, st, z); v != first || l.count(cairn.ThunkRestored) != 1 {
		t.Fatalf("rerun: %v with %d restores, want %v restored once", v, l.count(cairn.ThunkRestored), first)
	}

	// A spawned thunk is a task, not a run's result: packed.
	s := cairn.New(&cairn.Config{Checkpoints: st, Logger: discard()})
	defer s.Close()
	sp := cairn.Spawn(context.Background(), s, storeGraph([]int{7}, squareV1))
	if _, err := sp.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close() // its checkpoints are written
	k, _ := sp.Key()
	if _, err := st.Stat(context.Background(), k); err != nil {
		t.Fatalf("the spawned thunk was not checkpointed: %v", err)
	}
	if own(sp) {
		t.Error("a spawned thunk's checkpoint has a file of its own")
	}
}
