package benchcmp

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cairnlabs/cairn/internal/bench"
)

// ckptPhases maps the variants of bench.SeedCkpt and bench_seed_ckpt.py,
// which share their names, to the phases they time.
var ckptPhases = []struct{ variant, phase string }{
	{"no-ckpt", PhaseNone},
	{"ckpt-write", PhaseFirst},
	{"ckpt-write+fsync", PhaseFirstFsync},
	{"restore-tasks", PhaseRestore},
	{"restore-final", PhaseRestoreLast},
}

// seedCkpt is the seed workload with per-block checkpoints, one row a
// phase: no checkpoints, a first run writing them (fsync off, then on), a
// restore run (the block sums restored, the final step computed) and a
// run restoring the final result. cairn's side is bench.SeedCkpt with a
// file:// store and automatic keys (one timed run a phase after one
// warm-up); Dask's is bench_seed_ckpt.py, which emulates the same phases
// with pickle files in its graph, in a fresh CKPT_DIR each call.
func seedCkpt(n, b int, quick bool) Workload {
	name := fmt.Sprintf("checkpoints %d²/%d²", n, b)
	rowOf := map[string]string{}
	var rows []RowSpec
	for _, p := range ckptPhases {
		rowOf[p.variant] = name + ": " + p.phase
		rows = append(rows, RowSpec{Name: rowOf[p.variant], Phase: p.phase})
	}
	return Workload{
		Name:  name,
		Rows:  rows,
		Quick: quick,
		Cairn: func(ctx context.Context) ([]Sample, error) {
			rs, err := bench.SeedCkpt(ctx, n, b, 1, 0, 42, "")
			if err != nil {
				return nil, err
			}
			var ss []Sample
			for _, r := range rs {
				if row, ok := rowOf[r.Variant]; ok { // the SQLite variants have no Dask twin
					ss = append(ss, Sample{Row: row, Seconds: r.MedianS})
				}
			}
			return ss, nil
		},
		Peer: PeerCall{
			Script:     "bench_seed_ckpt.py",
			Args:       []string{strconv.Itoa(n), strconv.Itoa(b), "1"},
			TempDirEnv: "CKPT_DIR",
			Parse: parseWith(func(l daskLine) ([]Sample, bool) {
				row, ok := rowOf[l.Variant]
				if l.Bench != "seed-ckpt" || !ok {
					return nil, false
				}
				return []Sample{{Row: row, Seconds: l.median(l.MedianS)}}, l.Variant == "restore-final"
			}),
		},
	}
}
