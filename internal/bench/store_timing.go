package bench

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"time"
)

// A timedOp is one thing rounds times: do performs n operations.
type timedOp struct {
	name string
	n    int
	do   func(round int) error // timed
	then func(round int) error // untimed, after do; nil for nothing
}

// rounds calls each op's do once per round, the ops in turn, for
// runs+1 rounds of which the first is an untimed warm-up, and returns each
// op's time per operation in each timed round. Taking the ops round-robin,
// each round starting with the next op, spreads a slow moment of the
// machine (another process's disk writes, say) and the cost of going first
// or last over all of them rather than on one. Before each do, all free
// memory goes back to the system, so that every op starts from the same
// state of the heap: large allocations then get fresh pages.
func rounds(runs int, ops []*timedOp) ([][]float64, error) {
	samples := make([][]float64, len(ops))
	for round := range runs + 1 {
		for k := range ops {
			i := (round + k) % len(ops) // each op leads a round in turn
			op := ops[i]
			debug.FreeOSMemory()
			start := time.Now()
			err := op.do(round)
			took := time.Since(start).Seconds()
			if err == nil && op.then != nil {
				err = op.then(round)
			}
			if err != nil {
				return nil, fmt.Errorf("bench: store: %s: %w", op.name, err)
			}
			if round > 0 {
				samples[i] = append(samples[i], took/float64(op.n))
			}
		}
	}
	return samples, nil
}

// paired returns the median over rounds of base's time over s's time in
// the same round, and the median of their difference.
func paired(base, s []float64) (ratio, over float64) {
	r, d := make([]float64, len(s)), make([]float64, len(s))
	for i := range s {
		r[i], d[i] = base[i]/s[i], s[i]-base[i]
	}
	return median(r), median(d)
}

// timed runs f after a garbage collection, so that garbage of earlier runs
// is not collected on f's time, and returns how long f took in seconds.
func timed(f func() error) (float64, error) {
	runtime.GC()
	start := time.Now()
	err := f()
	return time.Since(start).Seconds(), err
}

// result summarizes the per-operation samples of one measurement.
func result(name, op string, size int64, samples []float64, ops int) StoreResult {
	r := StoreResult{Name: name, Op: op, SizeBytes: size, Runs: len(samples),
		MedianS: median(samples), MinS: slices.Min(samples)}
	if ops > 1 {
		r.OpsPerRun = ops
	}
	if r.MedianS > 0 {
		r.MBPerS = float64(size) / r.MedianS / 1e6
	}
	return r
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
