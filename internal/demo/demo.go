package demo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/darray"
)

// DefaultSeed makes X's total negative at both the default size (1024² in
// 128² blocks) and the large one (16384² in 1024² blocks), so that run 1
// meets the seed's bug.
const DefaultSeed = 4

// FinalKey is the key of the final result's checkpoint with hand-named
// keys; block idx's sum is under BlockKey(idx).
const FinalKey = "checkpoint-final"

// BlockKey is the key of block idx's sum with hand-named keys: the seed's
// file name, checkpoint-<idx>.bin, as a store key.
func BlockKey(idx int) string { return fmt.Sprintf("checkpoint-%d", idx) }

// Config is what a phase runs on.
type Config struct {
	Size, Block int
	Seed        uint64
	// Store holds the checkpoints.
	Store *checkpoint.Store
	// AutoKeys checkpoints every thunk with a stable key under its
	// automatic key, through the Scheduler (whose Config.Checkpoints must
	// then be Store). Otherwise the seed's hooks write each block's sum
	// under BlockKey(idx), and runs 2 and 3 the final result under
	// FinalKey.
	AutoKeys bool
	// Scheduler runs the phase.
	Scheduler *cairn.Scheduler
}

// Result is one phase's outcome, also printed as JSON by `cairn demo --json`.
// The counts are the run's cairn.RunStats, with the final result's own
// checkpoint (RunOptions.Checkpoint and Restore) counted in Checkpointed
// and Restored.
type Result struct {
	Phase int    `json:"phase"`
	Name  string `json:"name"`
	// Store is the URL of the store that holds the checkpoints.
	Store string `json:"store"`
	// Thunks is the size of the graph, whether or not it was looked at.
	Thunks   int `json:"thunks"`
	Computed int `json:"computed"`
	Restored int `json:"restored"`
	// RestoreFailed counts checkpoints that were there but could not be
	// restored (corrupt, unreadable): their thunks were recomputed.
	RestoreFailed int `json:"restoreFailed"`
	// Pruned counts thunks neither run nor restored because nothing needed
	// them: every consumer was restored.
	Pruned int `json:"pruned"`
	// Skipped counts thunks not run because a dependency failed.
	Skipped          int `json:"skipped"`
	Failed           int `json:"failed"`
	Checkpointed     int `json:"checkpointed"`
	CheckpointFailed int `json:"checkpointFailed"`
	// FinalRestored is set when the final result's checkpoint was
	// restored, so that the graph was not even looked at.
	FinalRestored bool `json:"finalRestored"`
	// FinalCheckpointed is set when the final result was checkpointed by
	// the run's own hook (hand-named keys, runs 2 and 3).
	FinalCheckpointed bool     `json:"finalCheckpointed"`
	Seconds           float64  `json:"seconds"`
	Result            *float64 `json:"result"`
	Error             string   `json:"error"`
	// Total is sum(Y), when inner ran and returned: z² for the fixed
	// inner, or the negative total of the seed's DomainError.
	Total *float64 `json:"total,omitempty"`
	// Workers is how many worker processes ran the phase (0: this
	// process); Lost counts executions lost with a worker and run again.
	Workers int `json:"workers,omitempty"`
	Lost    int `json:"lost,omitempty"`
}

// domainErrorText finds a DomainError's total in an error's text.
var domainErrorText = regexp.MustCompile(`DomainError with (-?[0-9.eE+-]+):`)

// remoteDomainError reads the total of a DomainError that failed a thunk in
// a worker process, from the error's text.
func remoteDomainError(err error) (float64, bool) {
	m := domainErrorText.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, false
	}
	t, perr := strconv.ParseFloat(m[1], 64)
	return t, perr == nil
}

// Names of the phases, by number: what each run's script is.
var Names = map[int]string{1: "buggy-inner", 2: "fixed-inner", 3: "fixed-inner-again"}

// Run runs phase 1, 2 or 3 and reports what it computed, restored, pruned
// and skipped. A failure of the graph (run 1's DomainError) is in
// Result.Error; the error return is for what stops a phase from running.
func Run(ctx context.Context, cfg Config, phase int) (Result, error) {
	if phase < 1 || phase > 3 {
		return Result{}, fmt.Errorf("demo: phase %d does not exist: use 1, 2 or 3", phase)
	}
	if cfg.Store == nil || cfg.Scheduler == nil {
		return Result{}, errors.New("demo: Config needs a Store and a Scheduler")
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
	var finalCkpt bool
	opts := cairn.RunOptions{Name: Names[phase], Stats: &stats}
	if phase > 1 && !cfg.AutoKeys {
		opts.Checkpoint = func(ctx context.Context, r cairn.Chunk) error {
			if err := cfg.save(ctx, FinalKey, r, checkpoint.Meta{Thunk: "final result", Func: innerFixedFn.Name()}); err != nil {
				return err
			}
			finalCkpt = true
			return nil
		}
		opts.Restore = func(ctx context.Context) (cairn.Chunk, error) { return cfg.load(ctx, FinalKey) }
	}
	z, err := cairn.Collect[float64](ctx, cfg.Scheduler, Z, opts)
	res := Result{Phase: phase, Name: Names[phase], Thunks: 2*len(chunks) + 1, Seconds: time.Since(start).Seconds(),
		Computed: stats.Computed, Restored: stats.Restored, RestoreFailed: stats.RestoreFailed,
		Pruned: stats.Pruned, Skipped: stats.Skipped, Failed: stats.Failed, Lost: stats.Lost,
		Checkpointed: stats.Checkpointed, CheckpointFailed: stats.CheckpointFailed,
		FinalRestored: stats.FinalRestored, FinalCheckpointed: finalCkpt}
	if res.FinalRestored {
		res.Restored++
	}
	if res.FinalCheckpointed {
		res.Checkpointed++
	}
	if err != nil {
		var fe *cairn.ThunkFailedError
		if !errors.As(err, &fe) {
			return res, err
		}
		res.Error = err.Error()
		var de *DomainError
		if errors.As(err, &de) {
			res.Total = &de.Total
		} else if t, ok := remoteDomainError(err); ok {
			res.Total = &t // it failed in a worker: errors cross as text
		}
		return res, nil
	}
	res.Result = &z
	total := z * z
	if phase == 1 {
		res.Total = &total // the buggy inner returned sqrt(total): total ≥ 0
	}
	return res, nil
}

// blockOptions are the seed's per-block checkpoint and restore hooks, with
// hand-named keys. With automatic keys they are not needed.
func (cfg Config) blockOptions(idx int) cairn.Options {
	if cfg.AutoKeys {
		return cairn.Options{}
	}
	key := BlockKey(idx)
	meta := checkpoint.Meta{Thunk: fmt.Sprintf("sum[%d]", idx), Func: sumFn.Name()}
	return cairn.Options{
		Name: meta.Thunk,
		Checkpoint: func(ctx context.Context, t *cairn.Thunk, r cairn.Chunk) error {
			return cfg.save(ctx, key, r, meta)
		},
		Restore: func(ctx context.Context, t *cairn.Thunk) (cairn.Chunk, error) {
			return cfg.load(ctx, key)
		},
	}
}

// save writes a chunk's value under key.
func (cfg Config) save(ctx context.Context, key string, r cairn.Chunk, meta checkpoint.Meta) error {
	v, err := r.Value(ctx)
	if err != nil {
		return err
	}
	_, err = cfg.Store.Put(ctx, key, v, meta)
	return err
}

// load reads the value under key back as a chunk. An absent key is
// "nothing to restore" (its error matches fs.ErrNotExist); a corrupt one is
// reported by the scheduler and recomputed.
func (cfg Config) load(ctx context.Context, key string) (cairn.Chunk, error) {
	v, _, err := cfg.Store.Get(ctx, key, nil)
	if err != nil {
		return nil, err
	}
	return cairn.ToChunk(v), nil
}

var blockKey = regexp.MustCompile(`^checkpoint-([0-9]+)$`)

// Count reports how many blocks' sums s holds under hand-named keys, and
// whether it holds the final result.
func Count(ctx context.Context, s *checkpoint.Store) (blocks int, final bool, err error) {
	err = s.List(ctx, "checkpoint-", func(i checkpoint.Info) error {
		if i.Key == FinalKey {
			final = true
		} else if m := blockKey.FindStringSubmatch(i.Key); m != nil {
			if _, err := strconv.Atoi(m[1]); err == nil {
				blocks++
			}
		}
		return nil
	})
	return blocks, final, err
}
