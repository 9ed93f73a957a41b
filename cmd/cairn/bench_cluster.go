package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/internal/bench"
	"github.com/spf13/cobra"
)

type clusterBenchFlags struct {
	workers, tasks, runs     int
	transferMiB              int
	seedSize, seedBlock      int
	scaleWorkers, scaleProcs int
	scaleTasks               int
	only                     []string
	asJSON                   bool
	dask, python             string
}

func benchClusterCmd() *cobra.Command {
	var f clusterBenchFlags
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "The cluster executor: per-task overhead, transfers, the seed on workers, checkpoints, scale",
		Long: `cluster measures the cluster executor on this machine, with worker processes
of this binary and the NATS server embedded in it:

  overhead   --tasks trivial tasks (fan-in, and a chain) on --workers workers:
             microseconds per task (us_per_task)
  transfer   a --transfer-mib block fetched from one worker by another (GB/s,
             as the fetching worker measured it)
  seed       the seed workload (--seed-size², --seed-block² blocks) on the
             workers and on this process's cores, interleaved: the ratio, and
             the bytes of values the driver received per run
  seed-ckpt  the seed's first run on the workers with per-block checkpoints
             written by them to a file:// store (fsync off), against no
             checkpoints: the ratio
  scale      --scale-tasks trivial tasks on --scale-workers workers (each its
             own NATS connection, --scale-procs processes) and on --workers
             workers: throughput, and the membership traffic of each idle
             cluster (messages per second)

With --dask PATH (../shared/peers/dask/bench_fanin_raw.py) it also runs Dask
distributed with 2 worker processes on the same fan-in, for the ratio.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBenchCluster(cmd, f) },
	}
	fl := cmd.Flags()
	fl.IntVar(&f.workers, "workers", 2, "worker processes")
	fl.IntVar(&f.tasks, "tasks", 10000, "trivial tasks for the overhead")
	fl.IntVar(&f.runs, "runs", 5, "timed runs of each measure (after a warm-up)")
	fl.IntVar(&f.transferMiB, "transfer-mib", 64, "size of the transferred block, MiB")
	fl.IntVar(&f.seedSize, "seed-size", 16384, "the seed workload's matrix is size²")
	fl.IntVar(&f.seedBlock, "seed-block", 1024, "in block² blocks")
	fl.IntVar(&f.scaleWorkers, "scale-workers", 64, "workers of the scale measure")
	fl.IntVar(&f.scaleProcs, "scale-procs", 4, "processes they share")
	fl.IntVar(&f.scaleTasks, "scale-tasks", 100000, "trivial tasks of the scale measure")
	fl.StringSliceVar(&f.only, "only", nil, "measures to run (overhead, transfer, seed, seed-ckpt, scale); default all")
	fl.BoolVar(&f.asJSON, "json", false, "one JSON object per measure")
	fl.StringVar(&f.dask, "dask", "", "path of bench_fanin_raw.py, to run Dask distributed beside the overhead")
	fl.StringVar(&f.python, "python", "/usr/bin/python3", "the Python that has Debian's python3-dask and python3-distributed")
	return cmd
}

func init() { benchCmd.AddCommand(benchClusterCmd()) }

func runBenchCluster(cmd *cobra.Command, f clusterBenchFlags) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	for _, o := range f.only {
		if !slices.Contains([]string{"overhead", "transfer", "seed", "seed-ckpt", "scale"}, o) {
			return fmt.Errorf("--only %q: want overhead, transfer, seed, seed-ckpt or scale", o)
		}
	}
	want := func(name string) bool { return len(f.only) == 0 || slices.Contains(f.only, name) }
	emit := func(r bench.ClusterResult) error {
		if f.asJSON {
			return json.NewEncoder(out).Encode(r)
		}
		_, err := fmt.Fprintln(out, describeCluster(r))
		return err
	}
	ex, err := cluster.New(ctx, cluster.Config{Workers: f.workers, Stderr: io.Discard})
	if err != nil {
		return err
	}
	defer ex.Close()
	s := cairn.New(&cairn.Config{Executor: ex})
	defer s.Close()
	if want("overhead") {
		for _, shape := range []string{"fan-in", "chain"} {
			r, err := bench.ClusterOverhead(ctx, s, shape, f.tasks, f.runs)
			if err != nil {
				return err
			}
			r.Workers = f.workers
			if shape == "fan-in" && f.dask != "" {
				peer, err := daskFanIn(f.python, f.dask, f.tasks, f.runs)
				if err != nil {
					return err
				}
				r.LocalMedianS, r.Ratio = peer, peer/r.MedianS
			}
			if err := emit(r); err != nil {
				return err
			}
		}
	}
	if want("transfer") {
		r, err := bench.Transfer(ctx, s, ex, int64(f.transferMiB)<<20, f.runs)
		if err != nil {
			return err
		}
		r.Workers = f.workers
		if err := emit(r); err != nil {
			return err
		}
	}
	if want("seed") {
		local := cairn.New(nil)
		r, err := bench.SeedOnWorkers(ctx, s, local, ex, f.seedSize, f.seedBlock, f.runs)
		local.Close()
		if err != nil {
			return err
		}
		r.Workers = f.workers
		if err := emit(r); err != nil {
			return err
		}
	}
	if want("seed-ckpt") {
		dir, err := os.MkdirTemp("", "cairn-bench-cluster-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		r, err := bench.SeedCkptOnWorkers(ctx, ex, dir, f.seedSize, f.seedBlock, f.runs)
		if err != nil {
			return err
		}
		r.Workers = f.workers
		if err := emit(r); err != nil {
			return err
		}
	}
	if want("scale") {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		for _, w := range []struct{ workers, procs int }{{f.workers, f.workers}, {f.scaleWorkers, f.scaleProcs}} {
			r, err := bench.Scale(ctx, exe, w.workers, w.procs, f.scaleTasks, max(1, f.runs/2))
			if err != nil {
				return err
			}
			if err := emit(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// describeCluster is a measure in words.
func describeCluster(r bench.ClusterResult) string {
	switch {
	case strings.HasPrefix(r.Name, "overhead"):
		s := fmt.Sprintf("%-22s %d tasks on %d workers: %.1f µs per task (median of %d, min %.3f s)", r.Name, r.Tasks, r.Workers, r.UsPerTask, r.Runs, r.MinS)
		if r.Ratio > 0 {
			s += fmt.Sprintf("; Dask distributed %.0f µs per task: cairn %.1f× faster", r.LocalMedianS/float64(r.Tasks)*1e6, r.Ratio)
		}
		return s
	case r.Name == "transfer":
		return fmt.Sprintf("%-22s %s worker to worker: %.2f GB/s (median of %d)", r.Name, checkpoint.FormatSize(r.Bytes), r.GBps, r.Runs)
	case strings.HasPrefix(r.Name, "seed-ckpt"):
		return fmt.Sprintf("%-22s first run with per-block checkpoints on %d workers: %.3f s, without %.3f s: %+.1f%%", r.Name, r.Workers, r.MedianS, r.LocalMedianS, (r.Ratio-1)*100)
	case strings.HasPrefix(r.Name, "seed"):
		return fmt.Sprintf("%-22s on %d workers %.3f s, on this process %.3f s: %.2f×; the driver received %s per run", r.Name, r.Workers, r.MedianS, r.LocalMedianS, r.Ratio, checkpoint.FormatSize(r.DriverBytesIn))
	case r.Name == "scale":
		return fmt.Sprintf("%-22s %d tasks on %d workers: %.0f tasks/s (%.1f µs per task); membership traffic %.1f msg/s idle", r.Name, r.Tasks, r.Workers, r.TasksPerS, r.UsPerTask, r.MembershipMsgsPerS)
	}
	return r.Name
}

// daskFanIn runs Dask's bench_fanin_raw.py and returns the median time of
// its distributed (2 worker processes) fan-in.
func daskFanIn(python, script string, n, runs int) (float64, error) {
	cmd := exec.Command(python, script, strconv.Itoa(n), strconv.Itoa(runs))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("--dask %s: %v\n%s(apt-get install -y python3-dask python3-distributed)", script, err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(outb))
	for sc.Scan() {
		var l struct {
			Bench, Scheduler string
			Median           float64 `json:"compute_median_s"`
		}
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Bench == "fanin-raw" && l.Scheduler == "distributed-processes=True" {
			return l.Median, nil
		}
	}
	return 0, fmt.Errorf("--dask %s printed no distributed-processes=True line", script)
}
