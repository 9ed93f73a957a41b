package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/filestore"
	_ "github.com/cairnlabs/cairn/checkpoint/sqlstore"
	"github.com/cairnlabs/cairn/internal/seedload"
)

// SeedCkptResult is one line of `cairn bench seed --ckpt`: a phase of the
// seed workload with checkpoints, the same phases as Dask's
// bench_seed_ckpt.py.
type SeedCkptResult struct {
	Name     string  `json:"name"`    // "seed-ckpt"
	Variant  string  `json:"variant"` // no-ckpt, ckpt-write[-sqlite][+fsync], restore-tasks, restore-final
	N        int     `json:"size"`
	Block    int     `json:"block"`
	Chunks   int     `json:"chunks"`
	Runs     int     `json:"runs"`
	MedianS  float64 `json:"median_s"`
	MinS     float64 `json:"min_s"`
	Computed int     `json:"computed"`
	Restored int     `json:"restored"`
	Result   float64 `json:"result"`
	// OverheadPct is, for the write phases, the median's excess over no-ckpt.
	OverheadPct float64 `json:"overhead_pct,omitempty"`
	// Ratio is cairn's median over Dask's, on the Dask lines.
	Ratio float64 `json:"ratio,omitempty"`
}

// SeedCkpt times the seed workload's checkpoint phases with a file store in
// a fresh directory under dir: the automatic-keys path a user gets from
// Config.Checkpoints (the random blocks are cheaper to regenerate than to
// store, so only the block sums and the final result are written).
func SeedCkpt(ctx context.Context, n, block, runs, parallelism int, seed uint64, dir string) ([]SeedCkptResult, error) {
	w := seedload.Workload{N: n, Block: block, Seed: seed}
	base, err := os.MkdirTemp(dir, "cairn-bench-ckpt-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(base)
	chunks := (n / block) * (n / block)
	if n%block != 0 {
		chunks = ((n + block - 1) / block) * ((n + block - 1) / block)
	}

	var out []SeedCkptResult
	var ref float64
	// phase runs one variant runs times (after an untimed warm-up run), each
	// on the store urlFor names for that run ("" for none), after prepare
	// (untimed, on a handle of its own). A run is timed as a new process
	// would do it: open the store, build the graph, compute or restore.
	phase := func(variant string, urlFor func(run int) string, prepare func(*checkpoint.Store) error) error {
		var times []float64
		var st cairn.RunStats
		var z float64
		for i := 0; i < runs+1; i++ {
			url := urlFor(i)
			if prepare != nil {
				store, err := checkpoint.Open(ctx, url)
				if err != nil {
					return err
				}
				err = prepare(store)
				if cerr := store.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
			}
			t0 := time.Now()
			var store *checkpoint.Store
			if url != "" {
				var err error
				if store, err = checkpoint.Open(ctx, url); err != nil {
					return err
				}
			}
			s := cairn.New(&cairn.Config{Parallelism: parallelism, Checkpoints: store})
			var err error
			z, err = w.Run(ctx, s, cairn.RunOptions{Stats: &st})
			d := time.Since(t0)
			s.Close()
			if store != nil {
				store.Close()
			}
			if err != nil {
				return fmt.Errorf("bench: seed %s: %w", variant, err)
			}
			if i > 0 {
				times = append(times, d.Seconds())
			}
		}
		if variant == "no-ckpt" {
			ref = z
		} else if math.Abs(z-ref) > 1e-9*math.Max(1, math.Abs(ref)) {
			return fmt.Errorf("bench: seed %s gave %v, no-ckpt %v", variant, z, ref)
		}
		slices.Sort(times)
		r := SeedCkptResult{Name: "seed-ckpt", Variant: variant, N: n, Block: block, Chunks: chunks, Runs: runs,
			MedianS: times[len(times)/2], MinS: times[0], Computed: st.Computed, Restored: st.Restored, Result: z}
		if st.FinalRestored {
			r.Restored = 1
		}
		if len(out) > 0 && strings.HasPrefix(variant, "ckpt-write") {
			r.OverheadPct = 100 * (r.MedianS/out[0].MedianS - 1)
		}
		out = append(out, r)
		return nil
	}
	// A first run writes into a new store: each write run gets a fresh
	// location (deleting the last one's files first would time the disk's
	// clean-up, not the checkpoints).
	fresh := func(kind string) func(int) string {
		return func(i int) string {
			return kindURL(kind, filepath.Join(base, fmt.Sprintf("%s-%d", variantDir(kind), i)))
		}
	}
	none := func(int) string { return "" }
	if err := phase("no-ckpt", none, nil); err != nil {
		return nil, err
	}
	if err := phase("ckpt-write", fresh("file://%s?fsync=false"), nil); err != nil {
		return nil, err
	}
	if err := phase("ckpt-write+fsync", fresh("file://%s"), nil); err != nil {
		return nil, err
	}
	// The same checkpoints in one SQLite file: no file system entry per
	// checkpoint.
	if err := phase("ckpt-write-sqlite", fresh("sqlite://%s.db?synchronous=normal"), nil); err != nil {
		return nil, err
	}
	if err := phase("ckpt-write-sqlite+fsync", fresh("sqlite://%s.db"), nil); err != nil {
		return nil, err
	}
	// The restore phases read what the last fsynced file run wrote.
	synced := kindURL("file://%s", filepath.Join(base, fmt.Sprintf("%s-%d", variantDir("file://%s"), runs)))
	same := func(int) string { return synced }
	// Per-block restore: the final result's checkpoint is removed first.
	z, err := w.Graph()
	if err != nil {
		return nil, err
	}
	finalKey, err := z.Key()
	if err != nil {
		return nil, err
	}
	dropFinal := func(st *checkpoint.Store) error { return st.Delete(ctx, finalKey) }
	if err := phase("restore-tasks", same, dropFinal); err != nil {
		return nil, err
	}
	if err := phase("restore-final", same, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// kindURL fills in kind, a store URL with one %s for a path, with path,
// escaped (see pathURL).
func kindURL(kind, path string) string {
	scheme, rest, _ := strings.Cut(kind, "://%s")
	suffix, query, _ := strings.Cut(rest, "?") // "sqlite://%s.db?synchronous=normal"
	return pathURL(scheme, path+suffix, query)
}

// variantDir names the locations of one kind of store URL.
func variantDir(kind string) string {
	switch kind {
	case "file://%s?fsync=false":
		return "nosync"
	case "file://%s":
		return "sync"
	case "sqlite://%s.db?synchronous=normal":
		return "sqlite-normal"
	}
	return "sqlite-full"
}
