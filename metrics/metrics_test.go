package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/filestore"
	"github.com/cairnlabs/cairn/metrics"
)

func sumBlock(b []float64) float64 {
	s := 0.0
	for _, v := range b {
		s += v
	}
	return s
}

func inner(xs ...float64) (float64, error) {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	if s > 0 {
		return 0, errors.New("inner: sum is positive")
	}
	return s, nil
}

func innerFixed(xs ...float64) float64 { return float64(len(xs)) }

func seed(top any) *cairn.Thunk {
	var ys []any
	for i := range 8 {
		ys = append(ys, cairn.Delayed(sumBlock)([]float64{float64(i), 1}))
	}
	return cairn.Delayed(top)(ys...)
}

// TestScrape runs the seed example twice against a real file store and
// scrapes the metrics over HTTP: the first run checkpoints 8 sums and fails
// in inner; the second restores them.
func TestScrape(t *testing.T) {
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	store, err := checkpoint.Open(ctx, "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := cairn.New(&cairn.Config{Parallelism: 2, Checkpoints: store, Listeners: []cairn.Listener{m},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()
	if _, err := cairn.Collect[float64](ctx, s, seed(inner)); err == nil {
		t.Fatal("run 1 succeeded; want inner's error")
	}
	if _, err := cairn.Collect[float64](ctx, s, seed(innerFixed)); err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	for _, want := range []string{
		`cairn_thunks_total{state="finished"} 9`, // 8 sums, then innerFixed
		`cairn_thunks_total{state="failed"} 1`,
		`cairn_thunks_total{state="restored"} 8`,
		`cairn_thunks_total{state="restore_missed"} 10`, // 8 sums and inner, then innerFixed
		`cairn_thunks_total{state="checkpointed"} 9`,
		`cairn_thunks_total{state="restore_failed"} 0`,
		`cairn_runs_total{result="ok"} 1`,
		`cairn_runs_total{result="failed"} 1`,
		`cairn_thunks_running 0`,
		`cairn_runs_active 0`,
		`cairn_task_duration_seconds_count{func="github.com/cairnlabs/cairn/metrics_test.sumBlock",result="ok"} 8`,
		`cairn_task_duration_seconds_count{func="github.com/cairnlabs/cairn/metrics_test.inner",result="failed"} 1`,
		`cairn_checkpoint_io_seconds_count{op="read"} 8`,
		`cairn_restore_errors_total 0`,
		`cairn_run_duration_seconds_count 2`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("scrape lacks %q in\n%s", want, grep(text, "cairn_thunks_total"))
		}
	}
	// Checkpoints: the 8 sums and innerFixed's result; each wrote bytes.
	written := testutil.ToFloat64(collector(t, reg, "cairn_checkpoint_bytes_written_total"))
	read := testutil.ToFloat64(collector(t, reg, "cairn_restore_bytes_read_total"))
	if written <= 0 || read <= 0 || read > written {
		t.Errorf("bytes written %v, read %v: want both > 0 and read <= written", written, read)
	}
	if n, err := testutil.GatherAndCount(reg, "cairn_thunks_total"); err != nil || n != 12 {
		t.Errorf("cairn_thunks_total has %d series (%v), want 12: one per state", n, err)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

// collector returns the registered metric named name as a Collector, for
// testutil.ToFloat64.
func collector(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			v := mf.GetMetric()[0].GetCounter().GetValue()
			c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: "copy"})
			c.Add(v)
			return c
		}
	}
	t.Fatalf("no metric %s", name)
	return nil
}

func TestCheckpointAndRestoreErrors(t *testing.T) {
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{m}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()
	x := cairn.Delayed(sumBlock, cairn.Options{
		Restore:    func(context.Context, *cairn.Thunk) (cairn.Chunk, error) { return nil, errors.New("corrupt") },
		Checkpoint: func(context.Context, *cairn.Thunk, cairn.Chunk) error { return errors.New("disk full") },
	})([]float64{1})
	if _, err := cairn.Collect[float64](ctx, s, x); err != nil {
		t.Fatal(err)
	}
	err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP cairn_checkpoint_errors_total Checkpoint writes that failed.
# TYPE cairn_checkpoint_errors_total counter
cairn_checkpoint_errors_total 1
# HELP cairn_restore_errors_total Restores that failed (the thunks were recomputed).
# TYPE cairn_restore_errors_total counter
cairn_restore_errors_total 1
`), "cairn_checkpoint_errors_total", "cairn_restore_errors_total")
	if err != nil {
		t.Error(err)
	}
}

func TestRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	a := metrics.New(reg)
	if b := metrics.New(reg); b != a {
		t.Error("a second New on the same registry made a new Listener; want the first one back")
	}
	other := prometheus.NewRegistry()
	other.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "cairn_runs_active", Help: "not ours"}))
	if m := metrics.New(other); m.Err() == nil {
		t.Error("New on a registry where cairn_runs_active is taken: Err is nil")
	}
	l := metrics.New(nil)
	if err := reg.Register(l); err == nil {
		t.Error("registering a second Listener by hand succeeded; want AlreadyRegisteredError")
	}
	if err := prometheus.NewRegistry().Register(l); err != nil {
		t.Errorf("New(nil) then Register: %v", err)
	}
}

func grep(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func blockUntilCancelled(ctx context.Context, started chan<- struct{}) (int, error) {
	started <- struct{}{}
	<-ctx.Done()
	return 0, ctx.Err()
}

// TestCancelledRunSettlesGauges: tasks cancelled with their run report no
// end; the gauges still come back to 0.
func TestCancelledRunSettlesGauges(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	s := cairn.New(&cairn.Config{Parallelism: 2, Listeners: []cairn.Listener{m}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 1)
	done := make(chan error)
	go func() {
		_, err := cairn.Collect[int](ctx, s, cairn.Delayed(blockUntilCancelled)(started))
		done <- err
	}()
	<-started
	cancel()
	<-done
	err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP cairn_runs_active Runs going on now.
# TYPE cairn_runs_active gauge
cairn_runs_active 0
# HELP cairn_thunks_running Thunks running now.
# TYPE cairn_thunks_running gauge
cairn_thunks_running 0
`), "cairn_runs_active", "cairn_thunks_running")
	if err != nil {
		t.Error(err)
	}
}
