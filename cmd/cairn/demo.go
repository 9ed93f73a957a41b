package main

import (
	"encoding/json"
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
}

func demoCmd() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the seed example end to end: checkpoint, fail, fix, resume",
		Long: `demo runs Dagger.jl's checkpointing example with cairn, on this machine's
cores, and explains each step:

  run 1  X = randn in blocks; Y = one sum per block, each checkpointed to
         checkpoint-<idx>.bin; Z = inner(Y...) = sqrt(sum) fails: the total is
         negative (the seed's DomainError).
  run 2  inner fixed (sqrt(abs(sum))): every sum is restored from its file,
         nothing upstream is generated, only inner runs; the final result is
         checkpointed to checkpoint-final.bin.
  run 3  the final checkpoint exists: the whole computation is skipped.

Each run is a separate Collect on a fresh graph, as a re-run script would be;
--phase runs one of them, so they can be separate processes too.`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd, f) },
	}
	fl := cmd.Flags()
	fl.IntVar(&f.size, "size", 1024, "X is size x size")
	fl.IntVar(&f.block, "block", 128, "blocks are block x block")
	fl.Uint64Var(&f.seed, "seed", demo.DefaultSeed, "random seed of X")
	fl.StringVar(&f.dir, "dir", "", "checkpoint directory (default: a fresh temporary directory)")
	fl.StringVar(&f.store, "store", "", "checkpoint store URL (file://, mem://, sqlite://, nats://...): automatic keys instead of the seed's per-block files")
	fl.StringVar(&f.phases, "phase", "1,2,3", "which runs, comma-separated")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object per run instead of the explanation")
	fl.IntVar(&f.parallelism, "parallelism", 0, "thunks at once (0: all cores)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log every restore and checkpoint failure")
	fl.StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (when it is a terminal), on or off")
	fl.StringVar(&f.dash, "dash", "", "serve the live dashboard on this address (127.0.0.1:0 picks a free port) and print its URL")
	fl.BoolVar(&f.dashKeep, "dash-wait", false, "with --dash: keep serving after the runs, until interrupted")
	return cmd
}

func init() { rootCmd.AddCommand(demoCmd()) }

var explain = map[int]string{
	1: `Run 1: compute X (randn, %[1]d×%[1]d in %[2]d×%[2]d blocks), one sum per block, each
       checkpointed to its file; then inner(Y...) = sqrt(sum(Y)).`,
	2: `Run 2: inner is fixed to sqrt(abs(sum(Y))) and the script is run again. Every
       block sum is restored from its checkpoint, so X is not even generated; only
       inner runs. The final result is checkpointed.`,
	3: `Run 3: the same script once more. The final checkpoint exists, so nothing runs.`,
}

func runDemo(cmd *cobra.Command, f demoFlags) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	phases, err := parsePhases(f.phases)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if f.verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	cfg := demo.Config{Size: f.size, Block: f.block, Seed: f.seed, Dir: f.dir}
	if f.store != "" {
		st, err := checkpoint.Open(ctx, f.store)
		if err != nil {
			return err
		}
		defer st.Close()
		cfg.Store = st
	} else if cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "cairn-demo-")
		if err != nil {
			return err
		}
		cfg.Dir = dir
	}
	newBar, err := demoProgress(f.progress)
	if err != nil {
		return err
	}
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
	s := cairn.New(&cairn.Config{Parallelism: f.parallelism, Checkpoints: cfg.Store, Logger: logger, Listeners: listeners})
	defer s.Close()
	cfg.Scheduler = s
	if !f.asJSON {
		where := cfg.Dir
		if cfg.Store != nil {
			where = f.store
		}
		fmt.Fprintf(out, "cairn demo: the seed's checkpointing example on %d cores; checkpoints in %s\n\n", s.Parallelism(), where)
	}
	for _, p := range phases {
		if !f.asJSON {
			text := explain[p]
			if p == 1 {
				text = fmt.Sprintf(text, f.size, f.block)
			}
			fmt.Fprintln(out, text)
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
		if f.asJSON {
			if err := json.NewEncoder(out).Encode(res); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(out, "       %d thunks: %d computed, %d restored, %d skipped, %d failed, %d checkpointed — %.3f s\n",
			res.Thunks, res.Computed, res.Restored, res.Skipped, res.Failed, res.Checkpointed, res.Seconds)
		if res.Error != "" {
			fmt.Fprintf(out, "       failed, as in the seed: %s\n\n", res.Error)
		} else {
			fmt.Fprintf(out, "       result z = %.6f\n\n", *res.Result)
		}
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
