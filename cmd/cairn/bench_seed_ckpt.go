package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"

	"github.com/cairnlabs/cairn/internal/bench"
)

// runBenchSeedCkpt times the seed workload's checkpoint phases and, with
// --dask-ckpt, Dask's emulation of them (bench_seed_ckpt.py) in the same run.
func runBenchSeedCkpt(ctx context.Context, out io.Writer, f seedFlags) error {
	rs, err := bench.SeedCkpt(ctx, f.size, f.block, f.runs, f.parallelism, f.seed, f.ckptDir)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := printSeedCkpt(out, f.asJSON, r); err != nil {
			return err
		}
	}
	if f.daskCkpt == "" {
		return nil
	}
	ds, err := runDaskSeedCkpt(ctx, f.daskCkpt, f.size, f.block, f.runs, f.ckptDir)
	if err != nil {
		return err
	}
	ours := map[string]float64{}
	for _, r := range rs {
		ours[r.Variant] = r.MedianS
	}
	for _, d := range ds {
		if m, ok := ours[d.Variant]; ok && d.MedianS > 0 {
			d.Ratio = m / d.MedianS
		}
		if err := printSeedCkpt(out, f.asJSON, d); err != nil {
			return err
		}
	}
	return nil
}

func printSeedCkpt(out io.Writer, asJSON bool, r bench.SeedCkptResult) error {
	if asJSON {
		return json.NewEncoder(out).Encode(r)
	}
	_, err := fmt.Fprintf(out, "%-16s %-17s %d×%d in %d×%d blocks: median %s, min %s",
		r.Name, r.Variant, r.N, r.N, r.Block, r.Block, phaseTime(r.MedianS), phaseTime(r.MinS))
	if err == nil && r.Name == "seed-ckpt" {
		_, err = fmt.Fprintf(out, " (computed %d, restored %d)", r.Computed, r.Restored)
	}
	if err == nil && r.OverheadPct != 0 {
		_, err = fmt.Fprintf(out, ", %+.1f%% over no-ckpt", r.OverheadPct)
	}
	if err == nil && r.Ratio != 0 {
		_, err = fmt.Fprintf(out, "; cairn/dask = %.3f", r.Ratio)
	}
	if err == nil {
		_, err = fmt.Fprintln(out)
	}
	return err
}

// phaseTime formats a phase's time: in milliseconds below 0.1 s, where
// "0.0013 s" would hide the digits that tell restores apart.
func phaseTime(s float64) string {
	if s < 0.1 {
		return fmt.Sprintf("%.3f ms", s*1e3)
	}
	return fmt.Sprintf("%.4f s", s)
}

// runDaskSeedCkpt runs Dask's bench_seed_ckpt.py and returns its lines.
func runDaskSeedCkpt(ctx context.Context, script string, n, block, runs int, base string) ([]bench.SeedCkptResult, error) {
	dir, err := os.MkdirTemp(base, "dask-ckpt-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", script, strconv.Itoa(n), strconv.Itoa(block), strconv.Itoa(runs))
	cmd.Env = append(os.Environ(), "CKPT_DIR="+dir)
	cmd.Stderr = os.Stderr
	raw, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("bench seed: dask-ckpt: %s: %w (is python3-dask installed?)", script, err)
	}
	var rs []bench.SeedCkptResult
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		var line struct {
			Variant string  `json:"variant"`
			Chunks  int     `json:"chunks"`
			MedianS float64 `json:"median_s"`
			MinS    float64 `json:"min_s"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Variant == "" {
			continue
		}
		rs = append(rs, bench.SeedCkptResult{Name: "seed-ckpt-dask", Variant: line.Variant, N: n, Block: block,
			Chunks: line.Chunks, Runs: runs, MedianS: line.MedianS, MinS: line.MinS})
	}
	return rs, nil
}
