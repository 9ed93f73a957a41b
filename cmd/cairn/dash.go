package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/all"
	"github.com/cairnlabs/cairn/darray"
	"github.com/cairnlabs/cairn/dash"
	"github.com/cairnlabs/cairn/internal/demo"
	"github.com/cairnlabs/cairn/progress"
)

type dashFlags struct {
	addr        string
	size, block int
	seed        uint64
	delay       time.Duration
	parallelism int
	store       string
	pause       time.Duration
	loop        bool
	hold        bool
}

func dashCmd() *cobra.Command {
	var f dashFlags
	cmd := &cobra.Command{
		Use:   "dash",
		Short: "Serve the live dashboard while the seed example runs",
		Long: `dash serves cairn's dashboard and runs the seed example under it, slowed
down so that there is something to watch:

  run 1  X = randn in blocks; one sum per block (each taking --delay),
         checkpointed to --store; inner(Y...) = sqrt(sum) fails on a negative
         total, as in the seed.
  run 2  inner fixed: the sums are restored, X is pruned, only inner runs.

With --loop it starts again with another seed until interrupted; otherwise
the dashboard stays up after the runs until Ctrl-C (or exits at once with
--hold=false). Open the printed URL in a browser.

A bigger graph, drawn one box per function: --size 4096 --block 16 --delay 0
(131,073 thunks).`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDash(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:0", "address to serve on (host:port; port 0 picks a free one)")
	fl.IntVar(&f.size, "size", 1024, "X is size x size")
	fl.IntVar(&f.block, "block", 128, "blocks are block x block")
	fl.Uint64Var(&f.seed, "seed", demo.DefaultSeed, "random seed of X (the default makes run 1 fail)")
	fl.DurationVar(&f.delay, "delay", 100*time.Millisecond, "extra time each block sum takes")
	fl.IntVar(&f.parallelism, "parallelism", 0, "thunks at once (0: all cores)")
	fl.StringVar(&f.store, "store", "mem://", "checkpoint store URL")
	fl.DurationVar(&f.pause, "pause", 3*time.Second, "pause before and between runs, to open and watch the page")
	fl.BoolVar(&f.loop, "loop", false, "run again and again, with a new seed each round, until interrupted")
	fl.BoolVar(&f.hold, "hold", true, "keep serving after the runs until interrupted")
	return cmd
}

func init() { rootCmd.AddCommand(dashCmd()) }

// The dash workload's functions, registered for stable checkpoint keys and
// short names on the page.
var (
	dashSumFn   = cairn.Register("dash.sum", dashSum)
	dashInnerFn = cairn.Register("dash.inner", dashInner)
	dashFixedFn = cairn.Register("dash.innerFixed", dashInnerFixed)
)

// dashSum sums a block, taking at least delay.
func dashSum(ctx context.Context, b *darray.Block[float64], delay time.Duration) (float64, error) {
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-t.C:
	}
	s := 0.0
	for _, v := range b.Data {
		s += v
	}
	return s, nil
}

// dashInner is the seed's bug: sqrt of a total that may be negative.
func dashInner(xs ...float64) (float64, error) {
	total := 0.0
	for _, x := range xs {
		total += x
	}
	if total < 0 {
		return 0, &demo.DomainError{Total: total}
	}
	return math.Sqrt(total), nil
}

// dashInnerFixed is the fix: sqrt(abs(total)).
func dashInnerFixed(xs ...float64) float64 {
	total := 0.0
	for _, x := range xs {
		total += x
	}
	return math.Sqrt(math.Abs(total))
}

func runDash(cmd *cobra.Command, f dashFlags) error {
	if f.size < 1 || f.block < 1 {
		return fmt.Errorf("dash: --size %d and --block %d must be positive", f.size, f.block)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := cmd.OutOrStdout()

	d := dash.New(&dash.Options{Title: "cairn dash · seed example"})
	defer d.Close()
	url, err := dash.Serve(ctx, f.addr, d)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "dashboard: %s\n", url)

	store, err := checkpoint.Open(ctx, f.store)
	if err != nil {
		return err
	}
	defer store.Close()
	bar := progress.Auto(os.Stderr)
	s := cairn.New(&cairn.Config{Parallelism: f.parallelism, Checkpoints: store,
		Listeners: []cairn.Listener{d, bar}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()

	for round, seed := 1, f.seed; ; round, seed = round+1, seed+1 {
		for phase := 1; phase <= 2; phase++ {
			if !sleepCtx(ctx, f.pause) {
				return finishDash(ctx, out, bar, f, nil)
			}
			err := dashRun(ctx, s, f, seed, phase, out)
			if ctx.Err() != nil {
				return finishDash(ctx, out, bar, f, nil)
			}
			if err != nil {
				return finishDash(ctx, out, bar, f, err)
			}
		}
		if !f.loop {
			return finishDash(ctx, out, bar, f, nil)
		}
		fmt.Fprintf(bar, "round %d done\n", round)
	}
}

// dashRun runs phase 1 (buggy inner) or 2 (fixed) of the seed example.
func dashRun(ctx context.Context, s *cairn.Scheduler, f dashFlags, seed uint64, phase int, out io.Writer) error {
	x, err := darray.Randn(darray.Blocks(f.block, f.block), []int{f.size, f.size}, darray.Seed(seed))
	if err != nil {
		return fmt.Errorf("dash: %w", err)
	}
	sum := cairn.Delayed(dashSumFn)
	var ys []any
	for _, c := range x.Chunks() {
		ys = append(ys, sum(c, f.delay))
	}
	top, name := dashInnerFn, "buggy inner"
	if phase == 2 {
		top, name = dashFixedFn, "fixed inner"
	}
	var st cairn.RunStats
	z, err := cairn.Collect[float64](ctx, s, cairn.Delayed(top)(ys...), cairn.RunOptions{Name: name, Stats: &st})
	var fe *cairn.ThunkFailedError
	switch {
	case errors.As(err, &fe) && phase == 1:
		fmt.Fprintf(out, "run %s: failed, as in the seed (%d computed, %d checkpointed): %v\n", name, st.Computed, st.Checkpointed, fe.Err)
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "run %s: z = %.6f (%d computed, %d restored, %d pruned) in %s\n",
		name, z, st.Computed, st.Restored, st.Pruned, st.Duration.Round(time.Millisecond))
	return nil
}

// finishDash flushes the progress bar and, with --hold, serves until
// interrupted.
func finishDash(ctx context.Context, out io.Writer, bar *progress.Bar, f dashFlags, err error) error {
	bar.Wait()
	if err != nil || !f.hold || ctx.Err() != nil {
		return err
	}
	fmt.Fprintln(out, "runs done; the dashboard stays up until Ctrl-C")
	<-ctx.Done()
	return nil
}

// sleepCtx waits d, or until ctx is done: it reports whether it waited.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
