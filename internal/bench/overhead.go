package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/cairnlabs/cairn"
)

// OverheadResult is one line of `cairn bench overhead`.
type OverheadResult struct {
	Name            string  `json:"name"`
	N               int     `json:"n"`
	BuildNsPerThunk float64 `json:"build_ns_per_thunk"`
	RunNsPerThunk   float64 `json:"run_ns_per_thunk"`
	PeakRSSBytes    int64   `json:"peak_rss_bytes"`
	Parallelism     int     `json:"parallelism"`
}

func one() int { return 1 }

func inc(x int) int { return x + 1 }

func count(xs ...int) int { return len(xs) }

// Registered, so that the graphs run on worker processes too (Delayed
// finds the registrations by the functions).
var (
	_ = cairn.Register("bench.one", one)
	_ = cairn.Register("bench.inc", inc)
	_ = cairn.Register("bench.count", count)
)

// Build makes the graph of a shape: "fan-in" (n-1 independent thunks into
// one) or "chain" (each thunk takes the previous one), n thunks in all.
func Build(shape string, n int) (*cairn.Thunk, error) {
	switch shape {
	case "fan-in":
		leaves := make([]any, n-1)
		d := cairn.Delayed(one)
		for i := range leaves {
			leaves[i] = d()
		}
		return cairn.Delayed(count)(leaves...), nil
	case "chain":
		t := cairn.Delayed(one)()
		d := cairn.Delayed(inc)
		for i := 1; i < n; i++ {
			t = d(t)
		}
		return t, nil
	}
	return nil, fmt.Errorf("bench: unknown shape %q (want fan-in or chain)", shape)
}

// Overhead builds and runs one graph of n trivial thunks on s and reports
// the time per thunk of each phase and the peak memory.
func Overhead(ctx context.Context, s *cairn.Scheduler, shape string, n int) (OverheadResult, error) {
	if n < 2 {
		return OverheadResult{}, fmt.Errorf("bench: n must be at least 2, got %d", n)
	}
	ResetPeakRSS()
	t0 := time.Now()
	t, err := Build(shape, n)
	if err != nil {
		return OverheadResult{}, err
	}
	build := time.Since(t0)
	t1 := time.Now()
	got, err := cairn.Collect[int](ctx, s, t)
	run := time.Since(t1)
	if err != nil {
		return OverheadResult{}, err
	}
	want := n
	if shape == "fan-in" {
		want = n - 1
	}
	if got != want {
		return OverheadResult{}, fmt.Errorf("bench: %s of %d gave %d, want %d", shape, n, got, want)
	}
	return OverheadResult{
		Name: shape, N: n, Parallelism: s.Parallelism(),
		BuildNsPerThunk: float64(build.Nanoseconds()) / float64(n),
		RunNsPerThunk:   float64(run.Nanoseconds()) / float64(n),
		PeakRSSBytes:    PeakRSS(),
	}, nil
}
