// Command cairn runs the seed demo, benchmarks, checkpoint-store tools and
// the dashboard of the cairn task-graph library.
//
// Usage:
//
//	cairn demo                 the seed example end to end (checkpoint, fail, fix, resume)
//	cairn bench overhead       scheduler overhead per thunk (fan-in and chain)
//	cairn bench seed           the seed workload, side by side with Dask's figures
//	cairn bench store          checkpoint store throughput
//	cairn ckpt ls|inspect|verify|gc|rm URL
//	cairn dash                 serve the dashboard
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// rootCmd is the cairn command. Subcommands add themselves in init
// functions, one file each.
var rootCmd = &cobra.Command{
	Use:           "cairn",
	Short:         "Lazy task graphs with checkpoint and restore",
	SilenceUsage:  true,
	SilenceErrors: true,
}

// benchCmd groups the benchmarks: `cairn bench overhead|seed|store`.
var benchCmd = &cobra.Command{
	Use:   "bench",
	Short: "Run cairn's benchmarks (one JSON object a line with --json)",
}

func init() { rootCmd.AddCommand(benchCmd) }

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		os.Exit(1)
	}
}
