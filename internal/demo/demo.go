package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/darray"
)

// DefaultSeed makes X's total negative at both the default size (1024² in
// 128² blocks) and the large one (16384² in 1024² blocks), so that run 1
// meets the seed's bug.
const DefaultSeed = 4

// Config is what a phase runs on.
type Config struct {
	Size, Block int
	Seed        uint64
	// Dir holds the checkpoint files (checkpoint-<idx>.bin and
	// checkpoint-final.bin), as in the seed. Ignored when Store is set.
	Dir string
	// Store, if set, checkpoints every thunk under automatic keys instead
	// of the seed's hand-written hooks.
	Store *checkpoint.Store
	// Scheduler runs the phase.
	Scheduler *cairn.Scheduler
}

// Result is one phase's outcome, also printed as JSON by `cairn demo --json`.
type Result struct {
	Phase        int      `json:"phase"`
	Name         string   `json:"name"`
	Thunks       int      `json:"thunks"`
	Computed     int      `json:"computed"`
	Restored     int      `json:"restored"`
	Skipped      int      `json:"skipped"`
	Failed       int      `json:"failed"`
	Checkpointed int      `json:"checkpointed"`
	Seconds      float64  `json:"seconds"`
	Result       *float64 `json:"result"`
	Error        string   `json:"error"`
}

// Names of the phases, by number.
var Names = map[int]string{1: "compute-and-fail", 2: "fix-and-restore", 3: "final-checkpoint"}

// Run runs phase 1, 2 or 3 and reports what it computed, restored and
// skipped. A phase's expected failure (run 1's DomainError) is in
// Result.Error; the error return is for what stops a phase from running.
func Run(ctx context.Context, cfg Config, phase int) (Result, error) {
	if phase < 1 || phase > 3 {
		return Result{}, fmt.Errorf("demo: phase %d does not exist: use 1, 2 or 3", phase)
	}
	if cfg.Store == nil && cfg.Dir == "" {
		return Result{}, errors.New("demo: no checkpoint directory")
	}
	if cfg.Store == nil {
		if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	start := time.Now()
	X, err := darray.Randn(darray.Blocks(cfg.Block, cfg.Block), []int{cfg.Size, cfg.Size}, darray.Seed(cfg.Seed))
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	chunks := X.Chunks()
	Y := make([]*cairn.Thunk, len(chunks))
	for idx, chunk := range chunks {
		Y[idx] = cairn.Delayed(sumFn, cfg.blockOptions(idx))(chunk)
	}
	inner := innerBuggyFn
	if phase > 1 {
		inner = innerFixedFn
	}
	Z := cairn.Delayed(inner)(cairn.Args(Y)...)

	var stats cairn.RunStats
	opts := cairn.RunOptions{Name: Names[phase], Stats: &stats}
	if phase > 1 && cfg.Store == nil {
		final := filepath.Join(cfg.Dir, "checkpoint-final.bin")
		opts.Checkpoint = func(ctx context.Context, r cairn.Chunk) error { return cairn.SaveFile(ctx, final, r) }
		opts.Restore = func(ctx context.Context) (cairn.Chunk, error) { return cairn.LoadFile(ctx, final) }
	}
	z, err := cairn.Collect[float64](ctx, cfg.Scheduler, Z, opts)
	res := Result{Phase: phase, Name: Names[phase], Thunks: 2*len(chunks) + 1, Seconds: time.Since(start).Seconds()}
	res.Computed, res.Restored, res.Checkpointed, res.Failed = stats.Computed, stats.Restored, stats.Checkpointed, stats.Failed
	if stats.FinalRestored {
		res.Restored = 1
	}
	res.Skipped = res.Thunks - res.Computed - res.Restored - res.Failed
	if err != nil {
		var fe *cairn.ThunkFailedError
		if !errors.As(err, &fe) {
			return res, err
		}
		res.Error = err.Error()
		return res, nil
	}
	res.Result = &z
	return res, nil
}

// blockOptions are the seed's per-block checkpoint and restore hooks: one
// file per block, named by its index. With a store they are not needed.
func (cfg Config) blockOptions(idx int) cairn.Options {
	if cfg.Store != nil {
		return cairn.Options{}
	}
	path := filepath.Join(cfg.Dir, fmt.Sprintf("checkpoint-%d.bin", idx))
	return cairn.Options{
		Name: fmt.Sprintf("sum[%d]", idx),
		Checkpoint: func(ctx context.Context, t *cairn.Thunk, r cairn.Chunk) error {
			return cairn.SaveFile(ctx, path, r)
		},
		Restore: func(ctx context.Context, t *cairn.Thunk) (cairn.Chunk, error) {
			return cairn.LoadFile(ctx, path)
		},
	}
}

// Count reports how many per-block checkpoint files dir holds.
func Count(dir string) int {
	m, _ := filepath.Glob(filepath.Join(dir, "checkpoint-[0-9]*.bin"))
	return len(m)
}

// Exists reports whether the final checkpoint file exists in dir.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "checkpoint-final.bin"))
	return !errors.Is(err, fs.ErrNotExist)
}
