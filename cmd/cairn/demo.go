package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/all"
	"github.com/cairnlabs/cairn/checkpoint/filestore"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/dash"
	"github.com/cairnlabs/cairn/internal/demo"
	"github.com/cairnlabs/cairn/progress"
	"github.com/spf13/cobra"
)

type demoFlags struct {
	size, block int
	seed        uint64
	dir, store  string
	phases      string
	asJSON      bool
	parallelism int
	verbose     bool
	progress    string
	dash        string
	dashKeep    bool
	workers     int
	nats        string
	minWorkers  int
}

func demoCmd() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the seed example end to end: checkpoint, fail, fix, resume",
		Long: `demo runs Dagger.jl's checkpointing example with cairn, on this machine's
cores, and says what each run did:

  run 1  X = randn in blocks; Y = one sum per block, each checkpointed under
         its own key, checkpoint-<idx> (the seed's file names); Z = inner(Y...)
         = sqrt(sum): with the default seed the total is negative and inner
         fails (the seed's DomainError).
  run 2  inner fixed (sqrt(abs(sum))): the sums are restored, the blocks of X
         they came from are pruned, only inner runs; the final result is
         checkpointed under checkpoint-final.
  run 3  the final checkpoint is restored: the whole computation is skipped.

The checkpoints go to a file store, by default in a fresh temporary
directory removed at exit: --dir keeps them where 'cairn ckpt ls file://DIR'
lists them, and --store names any store (automatic keys instead of the
seed's). Each run is a separate Collect on a fresh graph, as a re-run script
would be; --phase runs some of them, so they can be separate processes too.`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd, f) },
	}
	fl := cmd.Flags()
	fl.IntVar(&f.size, "size", 1024, "X is size x size")
	fl.IntVar(&f.block, "block", 128, "blocks are block x block")
	fl.Uint64Var(&f.seed, "seed", demo.DefaultSeed, "random seed of X (the default makes run 1 fail, as in the seed)")
	fl.StringVar(&f.dir, "dir", "", "keep the checkpoints in this directory, a file:// store (default: a temporary one, removed at exit)")
	fl.StringVar(&f.store, "store", "", "checkpoint store URL (file://, sqlite://, nats://...): automatic keys instead of the seed's hand-named ones")
	fl.StringVar(&f.phases, "phase", "1,2,3", "which runs, comma-separated")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object per run instead of the explanation")
	fl.IntVar(&f.parallelism, "parallelism", 0, "thunks at once (0: all cores)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log every restore and checkpoint failure")
	fl.StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (when it is a terminal), on or off")
	fl.StringVar(&f.dash, "dash", "", "serve the live dashboard on this address (127.0.0.1:0 picks a free port) and print its URL")
	fl.BoolVar(&f.dashKeep, "dash-wait", false, "with --dash: keep serving after the runs, until interrupted")
	fl.IntVar(&f.workers, "workers", 0, "run the tasks on this many worker processes of this binary (with --store, the workers write and read the checkpoints)")
	fl.StringVar(&f.nats, "nats", "", "run the tasks on the workers of the cluster whose NATS server is at this URL ('cairn worker --nats URL' on each machine)")
	fl.IntVar(&f.minWorkers, "min-workers", 1, "with --nats: wait for this many workers to join before running")
	return cmd
}

func init() { rootCmd.AddCommand(demoCmd()) }

// check reports flags that make no sense, alone or together.
func (f *demoFlags) check(cmd *cobra.Command) error {
	set := cmd.Flags().Changed
	switch {
	case set("dir") && set("store"):
		return errors.New("--dir and --store both say where the checkpoints go: give one (--dir DIR is --store file://DIR with the seed's hand-named keys)")
	case set("dir") && f.dir == "":
		return errors.New("--dir \"\": name a directory, or leave --dir out for a temporary one")
	case set("store") && f.store == "":
		return errors.New("--store \"\": give a store URL such as file:///abs/dir, or leave --store out")
	case f.dashKeep && f.dash == "":
		return errors.New("--dash-wait keeps the dashboard up after the runs, but there is none: add --dash 127.0.0.1:0")
	case f.parallelism < 0:
		return fmt.Errorf("--parallelism %d: give how many thunks may run at once, or 0 for all cores", f.parallelism)
	case f.workers < 0:
		return fmt.Errorf("--workers %d: give how many worker processes to start, or leave it out to run here", f.workers)
	case set("parallelism") && (f.workers > 0 || f.nats != ""):
		return errors.New("--parallelism sets how many thunks run at once in this process; with --workers or --nats the workers' cores decide: drop one")
	case f.size < 1:
		return fmt.Errorf("--size %d: X needs at least one row and column", f.size)
	case f.block < 1:
		return fmt.Errorf("--block %d: blocks need at least one row and column", f.block)
	}
	return nil
}

func runDemo(cmd *cobra.Command, f demoFlags) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	if err := f.check(cmd); err != nil {
		return err
	}
	phases, err := parsePhases(f.phases)
	if err != nil {
		return err
	}
	newBar, err := demoProgress(f.progress)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if f.verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	cfg := demo.Config{Size: f.size, Block: f.block, Seed: f.seed, AutoKeys: f.store != ""}
	storeURL, temp := f.store, false
	if storeURL == "" {
		dir := f.dir
		if dir == "" {
			if dir, err = os.MkdirTemp("", "cairn-demo-"); err != nil {
				return err
			}
			temp = true
			defer os.RemoveAll(dir) // runs last: after the store is closed
		}
		if storeURL, err = filestore.URL(dir); err != nil {
			return err
		}
	}
	st, err := checkpoint.Open(ctx, storeURL)
	if err != nil {
		return err
	}
	defer st.Close()
	cfg.Store = st

	bars := &barSwitch{}
	listeners := []cairn.Listener{bars}
	if f.dash != "" {
		d := dash.New(&dash.Options{Title: "cairn demo"})
		defer d.Close()
		url, err := dash.Serve(ctx, f.dash, d)
		if err != nil {
			return err
		}
		listeners = append(listeners, d)
		fmt.Fprintf(cmd.ErrOrStderr(), "cairn demo: dashboard at %s\n", url)
		if f.dashKeep {
			defer func() {
				fmt.Fprintf(cmd.ErrOrStderr(), "cairn demo: the dashboard stays at %s; interrupt (Ctrl-C) to exit\n", url)
				<-ctx.Done()
			}()
		}
	}
	sc := &cairn.Config{Parallelism: f.parallelism, Logger: logger, Listeners: listeners}
	var ex *cluster.Executor
	if f.workers > 0 || f.nats != "" {
		var stderr io.Writer = io.Discard
		if f.verbose {
			stderr = os.Stderr
		}
		ccfg := cluster.Config{Workers: f.workers, NATS: f.nats, Logger: logger, Stderr: stderr}
		if f.nats != "" {
			ccfg.MinWorkers = f.minWorkers
		}
		ex, err = cluster.New(ctx, ccfg)
		if err != nil {
			return err
		}
		defer ex.Close() // after the scheduler's Close, below
		sc.Executor = ex
	}
	if cfg.AutoKeys {
		sc.Checkpoints = st
	}
	s := cairn.New(sc)
	defer s.Close()
	cfg.Scheduler = s
	if !f.asJSON {
		where := fmt.Sprintf("%d cores", s.Parallelism())
		if ex != nil {
			ws := ex.Workers()
			slots := 0
			for _, w := range ws {
				slots += w.Slots
			}
			where = fmt.Sprintf("%d worker processes (%d slots)", len(ws), slots)
		}
		fmt.Fprintf(out, "cairn demo: the seed's checkpointing example on %s; checkpoints in %s\n", where, storeURL)
		if temp {
			fmt.Fprintf(out, "(a temporary store, removed at exit: --dir DIR keeps the checkpoints for `cairn ckpt ls file://DIR`)\n")
		}
		fmt.Fprintln(out)
	}
	for _, p := range phases {
		if !f.asJSON {
			fmt.Fprintln(out, demo.Intro(cfg, p))
		}
		// One bar per run, closed before the run's summary is printed.
		bar := newBar()
		bars.cur.Store(bar)
		res, err := demo.Run(ctx, cfg, p)
		bars.cur.Store(nil)
		bar.Close()
		if err != nil {
			return err
		}
		res.Store = storeURL
		if ex != nil {
			res.Workers = len(ex.Workers())
		}
		if f.asJSON {
			if err := json.NewEncoder(out).Encode(res); err != nil {
				return err
			}
			continue
		}
		demo.Narrate(out, res)
		fmt.Fprintln(out)
	}
	return nil
}

// demoProgress returns what makes the progress bar the --progress flag
// asks for (a nil *progress.Bar draws nothing).
func demoProgress(mode string) (func() *progress.Bar, error) {
	switch mode {
	case "auto":
		return func() *progress.Bar { return progress.Auto(os.Stderr) }, nil
	case "on":
		return func() *progress.Bar { return progress.New(os.Stderr, nil) }, nil
	case "off":
		return func() *progress.Bar { return nil }, nil
	}
	return nil, fmt.Errorf("--progress %q: want auto, on or off", mode)
}

// barSwitch forwards events to the progress bar of the run in progress.
type barSwitch struct{ cur atomic.Pointer[progress.Bar] }

func (s *barSwitch) OnEvent(e cairn.Event) {
	if b := s.cur.Load(); b != nil {
		b.OnEvent(e)
	}
}

func parsePhases(s string) ([]int, error) {
	var ps []int
	for _, part := range strings.Split(s, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || p < 1 || p > 3 {
			return nil, fmt.Errorf("--phase %q: want run numbers 1, 2 and/or 3, comma-separated", s)
		}
		ps = append(ps, p)
	}
	return ps, nil
}
