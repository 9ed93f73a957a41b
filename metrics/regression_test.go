package metrics_test

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/metrics"
)

func r3one() float64 { return 1 }

func TestRegressionRequiredCheckpointRunningGauge(t *testing.T) {
	reg := prometheus.NewRegistry()
	l := metrics.New(reg)
	var during float64
	probe := cairn.ListenerFunc(func(e cairn.Event) {
		if e.Kind == cairn.ThunkFailed {
			during = 0 // gauge read below, after metrics saw it
		}
	})
	_ = probe
	s := cairn.New(&cairn.Config{Parallelism: 1, Listeners: []cairn.Listener{l, cairn.ListenerFunc(func(e cairn.Event) {
		if e.Kind == cairn.ThunkFailed {
			during = testutil.ToFloat64(prometheusGauge(reg))
		}
	})}})
	defer s.Close()
	o := cairn.Options{CheckpointRequired: true, Checkpoint: func(context.Context, *cairn.Thunk, cairn.Chunk) error {
		return errors.New("disk full")
	}}
	cairn.Collect[float64](context.Background(), s, cairn.Delayed(r3one, o)())
	if during < 0 {
		t.Errorf("cairn_thunks_running = %v during the run", during)
	}
	n, _ := testutil.GatherAndCount(reg, "cairn_task_duration_seconds")
	t.Logf("task duration series: %d", n)
}

func prometheusGauge(reg *prometheus.Registry) prometheus.Collector {
	return gaugeCollector{reg}
}

type gaugeCollector struct{ reg *prometheus.Registry }

func (g gaugeCollector) Describe(ch chan<- *prometheus.Desc) {}
func (g gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	mfs, _ := g.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "cairn_thunks_running" {
			v := mf.GetMetric()[0].GetGauge().GetValue()
			ch <- prometheus.MustNewConstMetric(prometheus.NewDesc("x", "x", nil, nil), prometheus.GaugeValue, v)
		}
	}
}
