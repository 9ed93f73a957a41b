package benchcmp

import (
	"encoding/json"
	"fmt"
)

// daskLine holds the fields of the Dask scripts' JSON lines that the
// parsers read (see ../shared/peers/dask/README.md); each script fills
// some of them.
type daskLine struct {
	Bench     string `json:"bench"`
	Shape     string `json:"shape"`
	Scheduler string `json:"scheduler"`
	Variant   string `json:"variant"`
	Processes bool   `json:"processes"`
	// The times, by script: compute_s (bench_threaded_fresh.py), build_s
	// (bench_delayed_chain_build.py), median_s (bench_seed*.py),
	// compute_median_s (bench_distributed.py, bench_fanin_raw.py), and the
	// samples behind the medians, with more digits (samples_s).
	ComputeS       float64   `json:"compute_s"`
	BuildS         float64   `json:"build_s"`
	MedianS        float64   `json:"median_s"`
	ComputeMedianS float64   `json:"compute_median_s"`
	SamplesS       []float64 `json:"samples_s"`
}

// median returns a median line's time: its one sample where it has one
// (the scripts run with runs=1, and samples_s has more digits than the
// rounded median), else the median itself.
func (l daskLine) median(rounded float64) float64 {
	if len(l.SamplesS) == 1 {
		return l.SamplesS[0]
	}
	return rounded
}

// parseWith returns a PeerCall.Parse that decodes each line and hands it to
// pick, which returns the samples in it and whether the call is done.
func parseWith(pick func(l daskLine) ([]Sample, bool)) func([]byte) ([]Sample, bool, error) {
	return func(line []byte) ([]Sample, bool, error) {
		var l daskLine
		if err := json.Unmarshal(line, &l); err != nil {
			return nil, false, fmt.Errorf("reading %q: %w", line, err)
		}
		ss, done := pick(l)
		for _, s := range ss {
			if !(s.Seconds > 0) {
				return nil, false, fmt.Errorf("line %s gives row %q no positive time", line, s.Row)
			}
		}
		return ss, done, nil
	}
}

// one returns a Parse that takes the first line match accepts as row's
// sample, the time being what get reads from it, and is then done.
func one(row string, match func(daskLine) bool, get func(daskLine) float64) func([]byte) ([]Sample, bool, error) {
	return parseWith(func(l daskLine) ([]Sample, bool) {
		if !match(l) {
			return nil, false
		}
		return []Sample{{Row: row, Seconds: get(l)}}, true
	})
}
