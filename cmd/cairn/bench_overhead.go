package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/internal/bench"
	"github.com/spf13/cobra"
)

func benchOverheadCmd() *cobra.Command {
	var (
		asJSON bool
		sizes  []int
		shapes []string
		par    int
	)
	cmd := &cobra.Command{
		Use:   "overhead",
		Short: "Scheduler overhead per thunk: fan-in and chain of trivial thunks",
		Long: `Builds and runs graphs of trivial thunks — fan-in (N-1 independent thunks into
one) and chain (each thunk takes the previous) — and prints the build and run
time per thunk and the peak resident memory of each.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s := cairn.New(&cairn.Config{Parallelism: par})
			defer s.Close()
			out := cmd.OutOrStdout()
			if !asJSON {
				fmt.Fprintf(out, "%-8s %10s %12s %12s %12s\n", "shape", "n", "build ns/th", "run ns/th", "peak RSS")
			}
			for _, shape := range shapes {
				for _, n := range sizes {
					r, err := bench.Overhead(cmd.Context(), s, shape, n)
					if err != nil {
						return err
					}
					if asJSON {
						if err := json.NewEncoder(out).Encode(r); err != nil {
							return err
						}
						continue
					}
					fmt.Fprintf(out, "%-8s %10d %12.0f %12.0f %10.1f MiB\n", r.Name, r.N,
						r.BuildNsPerThunk, r.RunNsPerThunk, float64(r.PeakRSSBytes)/(1<<20))
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object a line")
	cmd.Flags().IntSliceVar(&sizes, "n", []int{10_000, 100_000, 1_000_000}, "graph sizes, in thunks")
	cmd.Flags().StringSliceVar(&shapes, "shape", []string{"fan-in", "chain"}, "graph shapes")
	cmd.Flags().IntVar(&par, "parallelism", 0, "worker slots (0: GOMAXPROCS)")
	cmd.SetOut(os.Stdout)
	return cmd
}

func init() { benchCmd.AddCommand(benchOverheadCmd()) }
