package metrics_test

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/metrics"
)

func Example() {
	reg := prometheus.NewRegistry()
	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{metrics.New(reg)}})
	defer s.Close()
	z, _ := cairn.Collect[float64](context.Background(), s, seed(innerFixed))

	// Serve reg with promhttp.HandlerFor; here, read it back.
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "cairn_thunks_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == "finished" {
				fmt.Println(z, "result;", m.GetCounter().GetValue(), "thunks finished")
			}
		}
	}
	// Output: 8 result; 9 thunks finished
}
