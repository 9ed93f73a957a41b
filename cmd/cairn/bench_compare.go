package main

import (
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/cairnlabs/cairn/internal/benchcmp"
	"github.com/spf13/cobra"
)

// compareFlags are the flags of `cairn bench compare`.
type compareFlags struct {
	quick, asJSON bool
	out, peers    string
	python, only  string
	runs          int
	peerLimit     time.Duration
}

func benchCompareCmd() *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "cairn and Dask side by side on the same workloads, interleaved, as ratios",
		Long: `Measures cairn and Dask (Debian's python3-dask and python3-distributed, run
with /usr/bin/python3) on the same workloads in one run and prints one table:
workload, cairn median, Dask median, ratio (cairn over Dask: below 1, cairn is
faster), and the min–max of each. Ratios taken in one run hold across machines;
absolute times do not.

Workloads: trivial-task overhead (fan-in and chain of 1k to 1M tasks on the
threads scheduler, 2 workers; graph build excluded), graph build (a chain of
delayed calls), the seed workload end to end at 1024²/128² and 16384²/1024², and
the seed with per-block checkpoints (no checkpoints; first run, fsync off and
on; restore run; final-result restore), and on 2 worker processes (cairn's
cluster executor with an embedded NATS server, against Dask distributed's
LocalCluster): fan-in and chain of 10k tasks, and the seed at 16384²/1024².

Interleaving: for each workload, cairn runs once untimed (warm-up), then the
two sides alternate, cairn, Dask, cairn, Dask, ..., --runs times each, so that
drift on a shared machine hits both. Each Dask repetition is one call of its
script in ../shared/peers/dask with runs=1, in a fresh interpreter: the script
warms up untimed in that interpreter and times only the work, so interpreter
start-up is paid on every call but never measured. The scripts that time
several variants are stopped once the line compared has been printed.

Dask is given --peer-timeout per call (start-up, warm-up and the timed work
together); a call past it is stopped, its row says "did not finish within"
the limit (in the table, the JSON and the charts), and that workload's later
Dask calls are skipped.

--out DIR also writes compare.json (machine, versions, every sample),
table.txt, table.md, and charts as PNG and SVG: time per task against graph
size (log-log), the checkpoint phases as grouped bars, and the ratio per row.
--quick runs 3 repetitions of a subset — overhead up to 100k tasks, the 1k
chain build, the seed and its checkpoints at 1024²/128² — in under 5 minutes on
2 cores. --only REGEXP picks workloads by name.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBenchCompare(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.quick, "quick", false, "a subset with 3 runs each (a few minutes on 2 cores)")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object a row instead of the table")
	fl.StringVar(&f.out, "out", "", "also write the raw JSON, the table and the charts (PNG, SVG) into this directory")
	fl.IntVar(&f.runs, "runs", 0, "timed repetitions of each side (default 5, 3 with --quick)")
	fl.StringVar(&f.peers, "peers", "", "directory of the Dask scripts (default: "+benchcmp.PeersRel+" in the checkout's parent or another directory above the current one)")
	fl.StringVar(&f.python, "python", benchcmp.DefaultPython, "the Python that runs the Dask scripts")
	fl.DurationVar(&f.peerLimit, "peer-timeout", 2*time.Minute, "the longest one Dask call may take")
	fl.StringVar(&f.only, "only", "", "run only the workloads whose name matches this regular expression (e.g. 'overhead|seed 1024')")
	cmd.SetOut(os.Stdout)
	return cmd
}

func init() { benchCmd.AddCommand(benchCompareCmd()) }

func runBenchCompare(cmd *cobra.Command, f compareFlags) error {
	var only *regexp.Regexp
	if f.only != "" {
		var err error
		if only, err = regexp.Compile(f.only); err != nil {
			return fmt.Errorf("bench compare: --only %q is not a regular expression: %w", f.only, err)
		}
	}
	if f.runs < 0 || f.peerLimit <= 0 {
		return fmt.Errorf("bench compare: --runs %d and --peer-timeout %s must be positive", f.runs, f.peerLimit)
	}
	if f.runs == 0 {
		f.runs = 5
		if f.quick {
			f.runs = 3
		}
	}
	ws := benchcmp.Select(benchcmp.Workloads(), f.quick, only)
	if len(ws) == 0 {
		return fmt.Errorf("bench compare: --only %q matches no workload", f.only)
	}
	if f.peers == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("bench compare: %w", err)
		}
		if f.peers, err = benchcmp.FindPeers(wd); err != nil {
			return err
		}
	}
	defer benchcmp.CloseWorkers() // the cluster rows' worker processes, if they ran
	rep, err := benchcmp.Run(cmd.Context(), benchcmp.Config{
		Python: f.python, Peers: f.peers, Runs: f.runs, PeerLimit: f.peerLimit, Progress: cmd.ErrOrStderr(),
	}, ws)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.asJSON {
		err = rep.WriteJSONLines(out)
	} else {
		err = rep.WriteTable(out)
	}
	if err != nil || f.out == "" {
		return err
	}
	files, err := rep.WriteDir(f.out)
	for _, file := range files {
		fmt.Fprintln(cmd.ErrOrStderr(), "bench compare: wrote", file)
	}
	return err
}
