package dash_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/darray"
	"github.com/cairnlabs/cairn/dash"
	"github.com/cairnlabs/cairn/internal/seedload"
)

// slowSum is the seed's sum per block, slowed down so that a person (and
// the test) can watch the run and kill a worker in the middle of it. It
// waits, too, until the file gate exists: the test opens the gate once it
// has seen tasks in flight on the page, however loaded the machine.
func slowSum(b *darray.Block[float64], gate string) float64 {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(gate); err == nil {
			break
		}
	}
	time.Sleep(40 * time.Millisecond)
	return seedload.Sum(b)
}

var slowSumFn = cairn.Register("dash_test.slowSum", slowSum)

// killer kills the worker that finished the after-th sum, once.
type killer struct {
	ex    *cluster.Executor
	after int
	mu    sync.Mutex
	n     int
	dead  string
	err   error
	done  chan struct{}
}

func (k *killer) OnEvent(e cairn.Event) {
	if e.Kind != cairn.ThunkFinished || e.Worker == "" || e.Thunk.Func() == nil || e.Thunk.Func().Name() != slowSumFn.Name() {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.n++; k.n != k.after {
		return
	}
	k.dead = e.Worker
	go func() { // not on the scheduler's goroutine
		defer close(k.done)
		for _, w := range k.ex.Workers() {
			if w.ID == e.Worker {
				p, err := os.FindProcess(w.PID)
				if err == nil {
					err = p.Kill()
				}
				k.mu.Lock()
				k.err = err
				k.mu.Unlock()
			}
		}
	}()
}

// TestBrowserCluster watches the seed workload run on a real cluster of two
// worker processes (this test binary, started by cluster.New), and kills
// one of them with SIGKILL in the middle of the run: the page shows a
// group of rows per worker in the task stream, the executions lost with
// the dead worker apart from failures, the dead worker as gone, and the
// run's success. With CAIRN_SCREENSHOT set it saves name-cluster.png.
func TestBrowserCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no worker processes")
	}
	ctx := browser(t)
	cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ex, err := cluster.New(cctx, cluster.Config{Workers: 2, SlotsPerWorker: 2, Logger: quiet, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	d := dash.New(&dash.Options{Title: "seed on 2 workers", Interval: 50 * time.Millisecond})
	srv := httptest.NewServer(d)
	defer srv.Close()
	defer d.Close()
	const blocks = 64
	k := &killer{ex: ex, after: blocks / 4, done: make(chan struct{})}
	s := cairn.New(&cairn.Config{Executor: ex, Listeners: []cairn.Listener{d, k}, Logger: quiet})
	defer s.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the page to connect", `document.getElementById('conn').textContent === 'live'`)

	// The seed workload: 8×8 blocks of 128×128 random numbers (128 KiB
	// each: they stay on the worker that made them), a sum per block, and
	// sqrt(|Σ sums|).
	x, err := darray.Randn(darray.Blocks(128, 128), []int{1024, 1024}, darray.Seed(4))
	if err != nil {
		t.Fatal(err)
	}
	gate := filepath.Join(t.TempDir(), "gate")
	var ys []any
	for _, c := range x.Chunks() {
		ys = append(ys, cairn.Delayed(slowSumFn)(c, gate))
	}
	var (
		stats cairn.RunStats
		got   float64
		done  = make(chan error, 1)
	)
	go func() {
		var err error
		got, err = cairn.Collect[float64](context.Background(), s, cairn.Delayed(seedload.Finish)(ys...),
			cairn.RunOptions{Name: "seed, a worker killed", Stats: &stats})
		done <- err
	}()
	// While it runs, tasks sent and not yet answered are in flight.
	waitJS(t, ctx, "tasks in flight", `document.querySelector('#stream rect.lane[data-worker="in flight"]') !== null &&
		document.querySelectorAll('#stream rect.task.running').length > 0`)
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the run failed: %v", err)
	}
	select {
	case <-k.done:
	case <-time.After(10 * time.Second):
		t.Fatal("no worker was killed")
	}
	if k.err != nil {
		t.Fatalf("killing %s: %v", k.dead, k.err)
	}
	local := cairn.New(&cairn.Config{Logger: quiet})
	defer local.Close()
	want, err := seedload.Workload{N: 1024, Block: 128, Seed: 4}.Run(context.Background(), local)
	if err != nil || got != want {
		t.Fatalf("got %v, want %v (%v)", got, want, err)
	}
	t.Logf("killed %s after %d sums; %+v", k.dead, blocks/4, stats)
	if stats.Lost == 0 {
		t.Fatalf("nothing was lost with %s: %+v", k.dead, stats)
	}

	waitJS(t, ctx, "the run to succeed", `document.body.dataset.status === 'ok'`)
	time.Sleep(150 * time.Millisecond) // an update or two after the last
	live := ex.Workers()
	if len(live) != 1 {
		t.Fatalf("live workers %+v, want one", live)
	}
	card := evalString(t, ctx, `document.querySelector('#card-workers .v').textContent + ' | ' + document.querySelector('#card-workers .s').textContent`)
	if !strings.HasPrefix(card, "1 | 1 gone · ") || !strings.Contains(card, " lost") {
		t.Errorf("Workers card %q, want 1 live, 1 gone, and the lost executions", card)
	}
	groups := evalString(t, ctx, `[...document.querySelectorAll('#stream rect.lane[data-worker]')].map(r => r.dataset.worker).join(' ')`)
	for _, w := range []string{live[0].ID, k.dead} {
		if !strings.Contains(groups, w) {
			t.Errorf("task stream groups %q, want one for %s", groups, w)
		}
	}
	lost := evalInt(t, ctx, `document.querySelectorAll('#stream rect.task.lost:not(.other)').length`)
	if lost < 1 || lost > stats.Lost {
		t.Errorf("%d lost tasks drawn, want 1 to %d (the run's lost executions)", lost, stats.Lost)
	}
	if n := evalInt(t, ctx, `document.querySelectorAll('#stream rect.task.failed').length`); n != 0 {
		t.Errorf("%d failed tasks drawn, want none: a loss is not a failure", n)
	}
	if g := evalString(t, ctx, `document.querySelector('#workers tr.gone').dataset.worker`); g != k.dead {
		t.Errorf("the Workers panel shows %q gone, want %s", g, k.dead)
	}
	if n := evalInt(t, ctx, `document.querySelectorAll('#graph rect[data-worker]').length`); n != 2*blocks+1 {
		t.Errorf("%d graph nodes name their worker, want all %d", n, 2*blocks+1)
	}
	cut, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.card .s, .card .v')].
		filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)`))
	if err != nil || len(cut) > 0 {
		t.Errorf("cut-off card text %q (%v)", cut, err)
	}
	if shot := os.Getenv("CAIRN_SCREENSHOT"); shot != "" {
		screenshot(t, ctx, strings.TrimSuffix(shot, filepath.Ext(shot))+"-cluster"+filepath.Ext(shot))
	}
}
