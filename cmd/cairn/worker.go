package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/spf13/cobra"
)

// workerCmd is `cairn worker`: a worker for the cairn command's own
// functions (the demo's, darray's), on a NATS server.
func workerCmd() *cobra.Command {
	var (
		cfg    cluster.WorkerConfig
		memory string
		count  int
	)
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run a worker for the cairn command's functions (demo, darray) on a NATS cluster",
		Long: `worker joins the cluster whose NATS server is at --nats and runs tasks of the
cairn command's own functions (the demo's, darray's) for its driver — for
example 'cairn demo --nats URL' on another machine. It leaves when its
driver is gone, and drains (finishes its running tasks, then leaves) on
SIGTERM.

Programs of your own are their own workers: call cluster.Main() at the top
of main, and start the program with the worker environment (CAIRN_WORKER=1
CAIRN_NATS=nats://host:4222; see the cluster package).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.NATS == "" {
				cfg.NATS = os.Getenv(cluster.EnvNATS)
			}
			if cfg.NATS == "" {
				return fmt.Errorf("--nats: give the URL of the cluster's NATS server, such as nats://10.0.0.1:4222 ('cairn server' runs one)")
			}
			if cfg.Slots < 0 {
				return fmt.Errorf("--slots %d: give how many tasks may run at once, or 0 for all cores", cfg.Slots)
			}
			if memory != "" {
				n, err := checkpoint.ParseSize(memory)
				if err != nil || n <= 0 {
					return fmt.Errorf("--memory %q: give a size such as 4GiB", memory)
				}
				cfg.Memory = n
			}
			if count < 1 {
				return fmt.Errorf("--count %d: run at least one worker", count)
			}
			if count == 1 {
				return cluster.RunWorker(cmd.Context(), cfg)
			}
			return runWorkers(cmd.Context(), cfg, count)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cfg.NATS, "nats", "", "NATS URL of the cluster (default $CAIRN_NATS)")
	fl.StringVar(&cfg.Name, "name", "", "cluster name (default cairn)")
	fl.StringVar(&cfg.ID, "id", "", "this worker's identity (default: host name and a random suffix)")
	fl.IntVar(&cfg.Slots, "slots", 0, "tasks at once (0: all cores)")
	fl.StringVar(&memory, "memory", "", "memory for values before they spill to --dir (default 1GiB)")
	fl.StringVar(&cfg.Dir, "dir", "", "scratch directory for spilled values (default: a temporary one)")
	fl.StringVar(&cfg.Advertise, "advertise", "", "address other workers reach this one at (default: this host's address towards NATS)")
	fl.IntVar(&count, "count", 1, "run this many workers in this process, each with its own NATS connection (to try a control plane at scale)")
	return cmd
}

// runWorkers runs n workers in this process, named <id>-1 … <id>-n, until
// they all leave; the first error is returned.
func runWorkers(ctx context.Context, cfg cluster.WorkerConfig, n int) error {
	base := cfg.ID
	if base == "" {
		base = fmt.Sprintf("p%d", os.Getpid())
	}
	errs := make(chan error, n)
	for i := 1; i <= n; i++ {
		c := cfg
		c.ID = fmt.Sprintf("%s-%d", base, i)
		if cfg.Dir != "" {
			c.Dir = filepath.Join(cfg.Dir, c.ID)
		}
		go func() { errs <- cluster.RunWorker(ctx, c) }()
	}
	var first error
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func init() { rootCmd.AddCommand(workerCmd()) }
