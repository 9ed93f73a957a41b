// Command cairn runs the seed demo, benchmarks, checkpoint-store tools and
// the dashboard of the cairn task-graph library.
//
// Usage:
//
//	cairn demo                 the seed example end to end (checkpoint, fail, fix, resume)
//	cairn bench overhead       scheduler overhead per thunk (fan-in and chain)
//	cairn bench seed           the seed workload, side by side with Dask's figures
//	cairn bench compare        cairn and Dask on the same workloads, interleaved, as ratios
//	cairn bench store          checkpoint store throughput
//	cairn ckpt ls|inspect|verify|gc|rm URL
//	cairn dash                 serve the dashboard
//	cairn server               a NATS server with JetStream for a cluster
//	cairn worker --nats URL    a worker for the command's own functions
//	cairn --version            the module version and VCS revision of this build
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cairnlabs/cairn/cluster"
	"github.com/spf13/cobra"
)

// rootCmd is the cairn command. Subcommands add themselves in init
// functions, one file each. Errors are printed once, by main; usage only
// on request (--help).
var rootCmd = &cobra.Command{
	Use:           "cairn",
	Short:         "Lazy task graphs with checkpoint and restore",
	Version:       version(),
	SilenceUsage:  true,
	SilenceErrors: true,
}

// benchCmd groups the benchmarks: `cairn bench overhead|seed|store|compare`.
var benchCmd = &cobra.Command{
	Use:   "bench",
	Short: "Run cairn's benchmarks (one JSON object a line with --json)",
}

func init() { rootCmd.AddCommand(benchCmd) }

func main() {
	// A cairn started as a worker (by `cairn demo --workers N`, which
	// re-executes this binary) is one, and exits.
	cluster.Main()
	// Ctrl-C cancels the context of the running command: runs stop
	// promptly, and checkpoints already started are finished.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := rootCmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		os.Exit(1)
	}
}
