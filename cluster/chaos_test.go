package cluster_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/local"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/internal/seedload"
)

// The chaos tests SIGKILL worker processes at random moments of a run
// (seeded: the seed is logged, CAIRN_CHAOS_SEED replays it) and check that
// every run completes with the uninterrupted result, and that what was
// lost is restored where it had a checkpoint and recomputed only where it
// had none. CAIRN_CHAOS=1 runs more rounds.

// killer kills workers of a cluster when a run reaches chosen points:
// after the k-th thunk finished, for each k in at, it kills the worker
// where that thunk ran (the holder of the newest value), or a random one
// if that one is gone. It always leaves one worker alive.
type killer struct {
	t      *testing.T
	ex     *cluster.Executor
	rng    *rand.Rand
	at     []int
	mu     sync.Mutex
	n      int
	killed []string
	kick   chan string
	done   chan struct{}
	// replace, if set, starts a worker in place of each one killed.
	replace func()
}

// newKiller plans kills kills at random points among the first n thunks
// to finish.
func newKiller(t *testing.T, ex *cluster.Executor, rng *rand.Rand, kills, n int) *killer {
	k := &killer{t: t, ex: ex, rng: rng, kick: make(chan string, kills), done: make(chan struct{})}
	for range kills {
		k.at = append(k.at, 1+rng.IntN(n))
	}
	slices.Sort(k.at)
	t.Logf("killing a worker after thunks %v finish", k.at)
	go k.loop()
	t.Cleanup(k.stop)
	return k
}

// OnEvent counts finished thunks; it is called on scheduler goroutines
// and must not block.
func (k *killer) OnEvent(e cairn.Event) {
	if e.Kind != cairn.ThunkFinished {
		return
	}
	k.mu.Lock()
	k.n++
	n := k.n
	k.mu.Unlock()
	for _, at := range k.at {
		if at == n {
			select {
			case k.kick <- e.Worker:
			default:
			}
		}
	}
}

func (k *killer) loop() {
	for {
		var where string
		select {
		case <-k.done:
			return
		case where = <-k.kick:
		}
		var live []cluster.WorkerInfo
		victim := -1
		for _, w := range k.ex.Workers() {
			if !slices.Contains(k.victims(), w.ID) {
				if w.ID == where {
					victim = len(live)
				}
				live = append(live, w)
			}
		}
		if len(live) < 2 {
			continue // keep one: the run needs a worker
		}
		if victim < 0 {
			victim = k.rng.IntN(len(live))
		}
		w := live[victim]
		k.mu.Lock()
		k.killed = append(k.killed, w.ID)
		k.mu.Unlock()
		kill(k.t, w.PID)
		if k.replace != nil {
			k.replace()
		}
	}
}

func (k *killer) stop() {
	select {
	case <-k.done:
	default:
		close(k.done)
	}
}

// victims lists the workers killed.
func (k *killer) victims() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.killed)
}

// openStore opens a file:// store in a temporary directory, which the
// workers (on this machine) share.
func openStore(t *testing.T, dir string) *checkpoint.Store {
	t.Helper()
	st, err := checkpoint.Open(context.Background(), "file://"+dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestChaosSeed kills one or two of three workers at random points of the
// seed workload (64 blocks of 128 KiB that stay on the workers, a sum per
// block, one sum over the sums), with checkpoints: every run returns the
// uninterrupted result.
func TestChaosSeed(t *testing.T) {
	w := seedload.Workload{N: 1024, Block: 128, Seed: 4}
	local := cairn.New(nil)
	defer local.Close()
	want, err := w.Run(context.Background(), local)
	if err != nil {
		t.Fatal(err)
	}
	rng := seededRand(t)
	const thunks = 64 + 64 + 1
	for round := range rounds(2, 20) {
		t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
			c := startCluster(t, cluster.Config{Workers: 3, SlotsPerWorker: 1})
			k := newKiller(t, c.ex, rng, 1+rng.IntN(2), thunks)
			// Random blocks are not checkpointed (they are cheaper to
			// make again); sums are, and ride back to the driver: never
			// lost.
			noCkpt := func(t *cairn.Thunk) bool { return strings.HasPrefix(t.Func().Name(), "darray.randn") }
			runKilled(t, c, k, noCkpt, want, func(ctx context.Context, s *cairn.Scheduler, o cairn.RunOptions) (float64, error) {
				return w.Run(ctx, s, o)
			})
		})
	}
}

// The fan-out/fan-in graph: a source, 8 spreads of it, 8 mixes of two
// spreads each, and a join of the mixes. Values are 128 KiB (over
// InlineMax): they stay on the workers, so a worker's death loses them
// and its consumers' inputs, across layers.
const (
	fanWidth = 8
	fanLen   = 16 << 10
	fanPause = 5 * time.Millisecond // each task's run time, so kills land mid-task
)

func fanSource(seed int) []float64 {
	time.Sleep(fanPause)
	out := make([]float64, fanLen)
	for j := range out {
		out[j] = float64((seed*7919+j*104729)%1000) / 8
	}
	return out
}

func fanSpread(src []float64, i int) []float64 {
	time.Sleep(fanPause)
	out := make([]float64, len(src))
	for j, v := range src {
		out[j] = v*float64(i+1) + float64(j%7)
	}
	return out
}

func fanMix(a, b []float64) []float64 {
	time.Sleep(fanPause)
	out := make([]float64, len(a))
	for j := range a {
		out[j] = a[j] - b[j]/2
	}
	return out
}

func fanJoin(xs ...[]float64) float64 {
	time.Sleep(fanPause)
	t := 0.0
	for _, x := range xs {
		for _, v := range x {
			t += v
		}
	}
	return t
}

var (
	fanSourceFn = cairn.Register("ct.fan.source", fanSource)
	fanSpreadFn = cairn.Register("ct.fan.spread", fanSpread)
	fanMixFn    = cairn.Register("ct.fan.mix", fanMix)
	fanJoinFn   = cairn.Register("ct.fan.join", fanJoin)
)

// fanGraph builds the graph. With a checkpoint store, the spreads'
// checkpoints are written before they count as done (required); the
// source and the mixes have none, so losing them means computing them
// again.
func fanGraph(seed int) *cairn.Thunk {
	src := cairn.Delayed(fanSourceFn, cairn.Options{NoCheckpoint: true})(seed)
	spread := make([]*cairn.Thunk, fanWidth)
	for i := range spread {
		spread[i] = cairn.Delayed(fanSpreadFn, cairn.Options{CheckpointRequired: true})(src, i)
	}
	mix := make([]any, fanWidth)
	for i := range mix {
		mix[i] = cairn.Delayed(fanMixFn, cairn.Options{NoCheckpoint: true})(spread[i], spread[(i+1)%fanWidth])
	}
	return cairn.Delayed(fanJoinFn, cairn.Options{NoCheckpoint: true})(mix...)
}

// fanWant computes the graph's result in this process, without cairn.
func fanWant(seed int) float64 {
	src := fanSource(seed)
	spread := make([][]float64, fanWidth)
	for i := range spread {
		spread[i] = fanSpread(src, i)
	}
	mix := make([][]float64, fanWidth)
	for i := range mix {
		mix[i] = fanMix(spread[i], spread[(i+1)%fanWidth])
	}
	return fanJoin(mix...)
}

// TestChaosFanOut kills one or two of three workers at random points of
// the fan-out/fan-in graph, with checkpoints of the spreads: every run
// returns the uninterrupted result, spreads whose checkpoint was written
// are restored rather than recomputed, and only the source and the mixes
// (no checkpoint) are computed again.
func TestChaosFanOut(t *testing.T) {
	rng := seededRand(t)
	const thunks = 1 + fanWidth + fanWidth + 1
	var total counts
	for round := range rounds(3, 30) {
		t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
			seed := rng.IntN(1000)
			c := startCluster(t, cluster.Config{Workers: 3, SlotsPerWorker: 1})
			k := newKiller(t, c.ex, rng, 1+rng.IntN(2), thunks)
			cs := runFanKilled(t, c, k, seed)
			total.Recomputed += cs.Recomputed
			total.RecomputedNoCkpt += cs.RecomputedNoCkpt
			total.Restored += cs.Restored
			total.Lost += cs.Lost
			total.Checkpointed += cs.Checkpointed
		})
	}
	t.Logf("all rounds: %v", total)
}

// TestChaosReplaced runs the fan-out graph on workers started by hand (as
// a launcher elsewhere would), which the driver watches only through
// their heartbeats, and kills two or three of them at random points,
// starting a new worker in place of each: every run returns the
// uninterrupted result, and what had a checkpoint is restored.
func TestChaosReplaced(t *testing.T) {
	rng := seededRand(t)
	const thunks = 1 + fanWidth + fanWidth + 1
	for round := range rounds(2, 20) {
		t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
			seed := rng.IntN(1000)
			c := startCluster(t, cluster.Config{})
			var mu sync.Mutex
			started := 0
			startOne := func() {
				mu.Lock()
				started++
				id := fmt.Sprintf("hand%d", started)
				mu.Unlock()
				c.startWorker(t, id)
			}
			for range 2 {
				startOne()
			}
			waitFor(t, 30*time.Second, "two workers to join", func() bool { return len(c.ex.Workers()) == 2 })
			k := newKiller(t, c.ex, rng, 2+rng.IntN(2), thunks)
			k.replace = startOne
			runFanKilled(t, c, k, seed)
		})
	}
}

// runFanKilled runs the fan-out graph of seed with runKilled.
func runFanKilled(t *testing.T, c *testCluster, k *killer, seed int) counts {
	t.Helper()
	return runKilled(t, c, k, nil, fanWant(seed), func(ctx context.Context, s *cairn.Scheduler, o cairn.RunOptions) (float64, error) {
		return cairn.Collect[float64](ctx, s, fanGraph(seed), o)
	})
}

// runKilled runs a workload on c, with checkpoints in a new store, while k
// kills workers; it fails the test unless the run returns want, the
// uninterrupted result, restoring what had a checkpoint and recomputing
// only what had none (noCkpt tells the thunks that never have one, as
// newLedger), and returns the ledger's counts.
func runKilled(t *testing.T, c *testCluster, k *killer, noCkpt func(*cairn.Thunk) bool, want float64,
	run func(context.Context, *cairn.Scheduler, cairn.RunOptions) (float64, error)) counts {
	t.Helper()
	l := newLedger(t, noCkpt)
	l.onEvent = k.OnEvent
	s := cairn.New(&cairn.Config{Executor: c.ex, Checkpoints: openStore(t, t.TempDir()), Listeners: []cairn.Listener{l}})
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var st cairn.RunStats
	got, err := run(ctx, s, cairn.RunOptions{Stats: &st})
	if err != nil {
		t.Fatalf("killed %v: %v", k.victims(), err)
	}
	if got != want {
		t.Fatalf("killed %v: got %v, want %v (uninterrupted)", k.victims(), got, want)
	}
	l.checkRestoredNotRecomputed(t)
	l.checkRecomputedNoCkpt(t)
	cs := l.counts()
	t.Logf("killed %v; run: computed %d, restored %d, lost %d, recomputed %d; ledger: %v",
		k.victims(), st.Computed, st.Restored, st.Lost, st.Recomputed, cs)
	return cs
}
