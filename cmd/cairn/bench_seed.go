package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/internal/seedload"
	"github.com/spf13/cobra"
)

// seedFlags are the flags of `cairn bench seed`.
type seedFlags struct {
	size, block, runs, parallelism int
	seed                           uint64
	asJSON                         bool
	dask                           string
	ckpt                           bool
	daskCkpt, ckptDir              string
}

// seedResult is one line of `cairn bench seed --json`.
type seedResult struct {
	Name    string  `json:"name"`
	Size    int     `json:"size"`
	Block   int     `json:"block"`
	Chunks  int     `json:"chunks"`
	Runs    int     `json:"runs"`
	MedianS float64 `json:"median_s"`
	MinS    float64 `json:"min_s"`
	Result  float64 `json:"result"`
	// Ratio is cairn's median over this line's (on the Dask and NumPy
	// lines only).
	Ratio float64 `json:"ratio,omitempty"`
}

func benchSeedCmd() *cobra.Command {
	var f seedFlags
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "The seed workload end to end: randn in blocks, a sum per block, sqrt(|total|)",
		Long: `Runs the seed example's workload — an N×N matrix of standard normal values in
B×B blocks, one sum thunk per block and one thunk over all sums — and prints the
median and fastest of R runs (after one untimed warm-up run). Each run's time
covers building the graph and computing it, as Dask's bench_seed.py measures;
with --ckpt, opening the checkpoint store too, as a new process would.

With --dask PATH it then runs '/usr/bin/python3 PATH N B R' (the script in
peers/dask/) and compares with Dask's threaded scheduler on the same workload
(its delayed-chunk-sums variant, line seed-dask), and with the script's
serial NumPy loop (seed-numpy-floor): ratio is cairn's median over theirs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBenchSeed(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.size, "size", 1024, "matrix size N (an N×N matrix)")
	fl.IntVar(&f.block, "block", 128, "block size B (B×B blocks)")
	fl.IntVar(&f.runs, "runs", 5, "timed runs")
	fl.IntVar(&f.parallelism, "parallelism", 0, "worker slots (0: GOMAXPROCS)")
	fl.Uint64Var(&f.seed, "seed", 42, "random seed")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object a line")
	fl.StringVar(&f.dask, "dask", "", "path of Dask's bench_seed.py, to run it and compare")
	fl.BoolVar(&f.ckpt, "ckpt", false, "also time the checkpoint phases: write (fsync off and on), restore per block, restore the final result")
	fl.StringVar(&f.daskCkpt, "dask-ckpt", "", "with --ckpt: path of Dask's bench_seed_ckpt.py, to run it and compare")
	fl.StringVar(&f.ckptDir, "ckpt-dir", "", "with --ckpt: where checkpoint files go (default: the system's temporary directory; Dask's script uses it too)")
	cmd.SetOut(os.Stdout)
	return cmd
}

func init() { benchCmd.AddCommand(benchSeedCmd()) }

func runBenchSeed(ctx context.Context, out io.Writer, f seedFlags) error {
	if f.size < 1 || f.block < 1 || f.runs < 1 {
		return fmt.Errorf("bench seed: --size %d, --block %d and --runs %d must all be positive", f.size, f.block, f.runs)
	}
	s := cairn.New(&cairn.Config{Parallelism: f.parallelism})
	defer s.Close()
	w := seedload.Workload{N: f.size, Block: f.block, Seed: f.seed}
	r, err := timeSeed(ctx, s, w, f.runs)
	if err != nil {
		return err
	}
	if err := printSeed(out, f.asJSON, r); err != nil {
		return err
	}
	if f.ckpt {
		if err := runBenchSeedCkpt(ctx, out, f); err != nil {
			return err
		}
	}
	if f.dask == "" {
		return nil
	}
	ds, err := runDaskSeed(ctx, f.dask, f.size, f.block, f.runs)
	if err != nil {
		return err
	}
	for _, d := range ds {
		d.Ratio = r.MedianS / d.MedianS
		if err := printSeed(out, f.asJSON, d); err != nil {
			return err
		}
	}
	return nil
}

// timeSeed runs the workload once untimed, then runs times, each after a
// garbage collection, and returns the median and fastest.
func timeSeed(ctx context.Context, s *cairn.Scheduler, w seedload.Workload, runs int) (seedResult, error) {
	r := seedResult{Name: "seed", Size: w.N, Block: w.Block, Chunks: benchCeilDiv(w.N, w.Block) * benchCeilDiv(w.N, w.Block), Runs: runs}
	samples := make([]float64, 0, runs)
	for i := range runs + 1 {
		runtime.GC()
		start := time.Now()
		z, err := w.Run(ctx, s)
		took := time.Since(start).Seconds()
		if err != nil {
			return r, fmt.Errorf("bench seed: %w", err)
		}
		r.Result = z
		if i > 0 {
			samples = append(samples, took)
		}
	}
	r.MedianS, r.MinS = benchMedian(samples), slices.Min(samples)
	return r, nil
}

func printSeed(out io.Writer, asJSON bool, r seedResult) error {
	if asJSON {
		return json.NewEncoder(out).Encode(r)
	}
	_, err := fmt.Fprintf(out, "%-16s %d×%d in %d×%d blocks (%d chunks), %d runs: median %.4f s, min %.4f s",
		r.Name, r.Size, r.Size, r.Block, r.Block, r.Chunks, r.Runs, r.MedianS, r.MinS)
	if err == nil && r.Ratio == 0 {
		_, err = fmt.Fprintf(out, ", result %.6g", r.Result)
	}
	if err == nil && r.Ratio != 0 {
		other := "dask"
		if r.Name == "seed-numpy-floor" {
			other = "numpy"
		}
		_, err = fmt.Fprintf(out, "; cairn/%s = %.3f", other, r.Ratio)
	}
	if err == nil {
		_, err = fmt.Fprintln(out)
	}
	return err
}

// runDaskSeed runs Dask's bench_seed.py and returns its figures for the
// same workload: the threaded scheduler's delayed-chunk-sums variant
// ("seed-dask") and, for reference, the script's serial NumPy loop
// ("seed-numpy-floor", printed first by the script). The script goes on to
// other schedulers afterwards; it is stopped once the threaded line has
// been read.
func runDaskSeed(ctx context.Context, script string, n, block, runs int) ([]seedResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", script, strconv.Itoa(n), strconv.Itoa(block), strconv.Itoa(runs))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("bench seed: dask: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench seed: dask: %w", err)
	}
	defer cmd.Wait()
	var rs []seedResult
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Variant   string  `json:"variant"`
			Scheduler string  `json:"scheduler"`
			Chunks    int     `json:"chunks"`
			MedianS   float64 `json:"median_s"`
			MinS      float64 `json:"min_s"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.MedianS <= 0 {
			continue
		}
		r := seedResult{Size: n, Block: block, Chunks: line.Chunks, Runs: runs, MedianS: line.MedianS, MinS: line.MinS}
		switch {
		case line.Variant == "numpy-serial-floor":
			r.Name = "seed-numpy-floor"
			rs = append(rs, r)
		case line.Variant == "delayed-chunk-sums" && line.Scheduler == "threads":
			cancel() // the rest of the script measures other schedulers
			r.Name = "seed-dask"
			return append(rs, r), nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bench seed: dask: reading %s: %w", script, err)
	}
	return nil, fmt.Errorf("bench seed: dask: %s printed no threads/delayed-chunk-sums line (is python3-dask installed?)", script)
}

func benchMedian(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func benchCeilDiv(a, b int) int { return (a + b - 1) / b }
