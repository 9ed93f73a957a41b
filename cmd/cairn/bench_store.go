package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/internal/bench"
	"github.com/spf13/cobra"
)

func benchStoreCmd() *cobra.Command {
	var (
		asJSON  bool
		sizes   []string
		runs    int
		drivers []string
		dir     string
	)
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Checkpoint store throughput: each driver next to raw files, the codec, small checkpoints",
		Long: `Writes and reads []float64 blocks of each size through every checkpoint store
driver (checkpoint.Store Put and Get, the path thunks take) and, in the same
run, as raw files: a temporary file, write, fsync, close, rename and directory
fsync (raw-fsync, the work of file://), or the same without the fsyncs (raw,
the work of file://?fsync=false), read back with os.ReadFile. The stores are
measured round-robin, and each figure is the median of --runs runs after one
untimed warm-up, starting with all free memory given back to the system, so
that reads, raw and stores alike, go into fresh memory whose pages fault in
(as in a process restoring its checkpoints; into memory the process already
holds a raw read is several times faster, and a store's fixed extra costs
weigh more). The "vs raw" column (ratio_to_raw) is the fraction of raw speed
reached: the median over runs of the raw time over the store's time in the
same run; "+ms" (over_raw_s) is the median extra time. MB/s are 10⁶ bytes a
second of payload; median is the time of one operation.

It also times the codec alone (codec.Marshal and Unmarshal of the block; both
are zero copy on little-endian machines, so their time does not grow with the
size) and small checkpoints (a float64 under a new key, Put then Get, on
file:// without fsync, next to raw 8-byte files), with plain contexts and with
a run's context as the scheduler passes (whose first Get of a key records the
read).

nats:// runs on an embedded JetStream server (file storage) started for the
benchmark. Everything is written under a temporary directory of --dir and
removed at the end.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := bench.StoreConfig{Runs: runs, Drivers: drivers, Dir: dir}
			if runs < 1 {
				return fmt.Errorf("bench store: --runs %d must be at least 1", runs)
			}
			for _, s := range sizes {
				n, err := checkpoint.ParseSize(s)
				if err != nil {
					return fmt.Errorf("bench store: --sizes: %w", err)
				}
				cfg.Sizes = append(cfg.Sizes, n)
			}
			out := cmd.OutOrStdout()
			header := !asJSON
			return bench.RunStore(cmd.Context(), cfg, func(r bench.StoreResult) error {
				if asJSON {
					return json.NewEncoder(out).Encode(r)
				}
				if header {
					header = false
					fmt.Fprintf(out, "%-24s %-10s %9s %10s %9s %10s %5s %7s %9s\n",
						"name", "op", "size", "MB/s", "µs/op", "median", "runs", "vs raw", "+ms")
				}
				return printStoreRow(out, r)
			})
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print one JSON object a line")
	fl.StringSliceVar(&sizes, "sizes", []string{"8MiB", "128MiB"}, "payload sizes (multiples of 8 bytes)")
	fl.IntVar(&runs, "runs", 5, "timed runs per figure, after one warm-up")
	fl.StringSliceVar(&drivers, "drivers", bench.StoreDrivers(), "what to measure")
	fl.StringVar(&dir, "dir", os.TempDir(), "directory for the temporary stores")
	cmd.SetOut(os.Stdout)
	return cmd
}

func init() { benchCmd.AddCommand(benchStoreCmd()) }

// printStoreRow prints one result as a row of the table.
func printStoreRow(out io.Writer, r bench.StoreResult) error {
	cell := func(format string, v float64) string {
		if v == 0 {
			return ""
		}
		return fmt.Sprintf(format, v)
	}
	over := ""
	if r.RatioToRaw != 0 {
		over = fmt.Sprintf("%+.3f", r.OverRawS*1e3)
	}
	_, err := fmt.Fprintf(out, "%-24s %-10s %9s %10s %9s %10s %5d %7s %9s\n",
		r.Name, r.Op, checkpoint.FormatSize(r.SizeBytes), cell("%.0f", r.MBPerS), cell("%.1f", r.USPerOp),
		formatSeconds(r.MedianS), r.Runs, cell("%.2f", r.RatioToRaw), over)
	return err
}

// formatSeconds formats a duration in seconds with three significant
// digits and a unit from ns to s.
func formatSeconds(s float64) string {
	for _, u := range []struct {
		name string
		div  float64
	}{{"s", 1}, {"ms", 1e-3}, {"µs", 1e-6}} {
		if s >= u.div {
			return strconv.FormatFloat(s/u.div, 'g', 3, 64) + " " + u.name
		}
	}
	return strconv.FormatFloat(s/1e-9, 'g', 3, 64) + " ns"
}
