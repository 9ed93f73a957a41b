package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/darray"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
)

// matmulFlags are the flags of `cairn bench matmul`.
type matmulFlags struct {
	size, block, runs, parallelism int
	serial, asJSON                 bool
}

// matmulResult is one line of `cairn bench matmul --json`.
type matmulResult struct {
	Name    string  `json:"name"`
	Size    int     `json:"size"`
	Block   int     `json:"block,omitempty"`
	Procs   int     `json:"procs"`
	Runs    int     `json:"runs"`
	MedianS float64 `json:"median_s"`
	MinS    float64 `json:"min_s"`
	// CPUS is the process's CPU time (user + system) per run, median: about
	// MedianS × the cores actually used.
	CPUS   float64 `json:"cpu_s"`
	GFLOPS float64 `json:"gflops"`
	// Speedup is gonum's median over this one's (blocked lines only).
	Speedup float64 `json:"speedup,omitempty"`
	// MaxAbsDiff is the largest difference from gonum's product (0 on
	// gonum's own lines).
	MaxAbsDiff float64 `json:"max_abs_diff"`
}

func benchMatMulCmd() *cobra.Command {
	var f matmulFlags
	cmd := &cobra.Command{
		Use:   "matmul",
		Short: "Blocked darray.MatMul against one gonum Dense.Mul",
		Long: `Multiplies two N×N matrices of normal values, R times each way, and prints the
median and fastest times, the CPU time per run and the GFLOPS:

  gonum          one mat.Dense.Mul (gonum's Dgemm, itself parallel on GOMAXPROCS)
  gonum-serial   the same with GOMAXPROCS=1 (with --serial): gonum on one core
  blocked        darray.MatMul in B×B blocks on a cairn scheduler: the graph is
                 built and every output block computed (the inputs are already
                 in blocks, as they would be in a blocked computation)

The blocked product is checked against gonum's (max_abs_diff).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBenchMatMul(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.size, "size", 4096, "matrix size N (N×N matrices)")
	fl.IntVar(&f.block, "block", 512, "block size B (B×B blocks)")
	fl.IntVar(&f.runs, "runs", 3, "timed runs of each")
	fl.IntVar(&f.parallelism, "parallelism", 0, "cairn worker slots (0: GOMAXPROCS)")
	fl.BoolVar(&f.serial, "serial", false, "also time gonum on one core (GOMAXPROCS=1)")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object a line")
	cmd.SetOut(os.Stdout)
	return cmd
}

func init() { benchCmd.AddCommand(benchMatMulCmd()) }

func runBenchMatMul(ctx context.Context, out io.Writer, f matmulFlags) error {
	if f.size < 1 || f.block < 1 || f.runs < 1 {
		return fmt.Errorf("bench matmul: --size %d, --block %d and --runs %d must all be positive", f.size, f.block, f.runs)
	}
	s := cairn.New(&cairn.Config{Parallelism: f.parallelism})
	defer s.Close()
	blocks := darray.Blocks(f.block, f.block)
	shape := []int{f.size, f.size}
	a, err := darray.Randn(blocks, shape, darray.Seed(1))
	if err != nil {
		return fmt.Errorf("bench matmul: %w", err)
	}
	b, err := darray.Randn(blocks, shape, darray.Seed(2))
	if err != nil {
		return fmt.Errorf("bench matmul: %w", err)
	}
	if a, err = a.Compute(ctx, s); err != nil {
		return fmt.Errorf("bench matmul: %w", err)
	}
	if b, err = b.Compute(ctx, s); err != nil {
		return fmt.Errorf("bench matmul: %w", err)
	}
	ad, err := darray.CollectDense(ctx, s, a)
	if err != nil {
		return fmt.Errorf("bench matmul: %w", err)
	}
	bd, err := darray.CollectDense(ctx, s, b)
	if err != nil {
		return fmt.Errorf("bench matmul: %w", err)
	}
	flop := 2 * math.Pow(float64(f.size), 3)

	var want mat.Dense
	gonumRun := func() error { want.Reset(); want.Mul(ad, bd); return nil }
	g, err := timeMatMul("gonum", f, runtime.GOMAXPROCS(0), flop, gonumRun)
	if err != nil {
		return err
	}
	if err := printMatMul(out, f.asJSON, g); err != nil {
		return err
	}
	if f.serial {
		old := runtime.GOMAXPROCS(1)
		gs, err := timeMatMul("gonum-serial", f, 1, flop, gonumRun)
		runtime.GOMAXPROCS(old)
		if err != nil {
			return err
		}
		if err := printMatMul(out, f.asJSON, gs); err != nil {
			return err
		}
	}

	var cs []cairn.Chunk
	c, err := darray.MatMul(a, b)
	if err != nil {
		return fmt.Errorf("bench matmul: %w", err)
	}
	blocked, err := timeMatMul("blocked", f, s.Parallelism(), flop, func() error {
		cs = nil // let the last product go before the next
		c, err := darray.MatMul(a, b)
		if err != nil {
			return err
		}
		cs, err = cairn.ComputeAll(ctx, s, c.Chunks())
		return err
	})
	if err != nil {
		return err
	}
	blocked.Block = f.block
	blocked.Speedup = g.MedianS / blocked.MedianS
	for i, ch := range cs {
		blk, err := cairn.Value[*darray.Block[float64]](ctx, ch)
		if err != nil {
			return fmt.Errorf("bench matmul: %w", err)
		}
		d := c.Subdomain(i)
		for r := range d.Shape[0] {
			for col := range d.Shape[1] {
				diff := math.Abs(blk.Data[r*d.Shape[1]+col] - want.At(d.Origin[0]+r, d.Origin[1]+col))
				blocked.MaxAbsDiff = max(blocked.MaxAbsDiff, diff)
			}
		}
	}
	return printMatMul(out, f.asJSON, blocked)
}

// timeMatMul runs fn f.runs times, each after a garbage collection.
func timeMatMul(name string, f matmulFlags, procs int, flop float64, fn func() error) (matmulResult, error) {
	r := matmulResult{Name: name, Size: f.size, Procs: procs, Runs: f.runs}
	var wall, cpu []float64
	for range f.runs {
		runtime.GC()
		c0 := cpuSeconds()
		start := time.Now()
		if err := fn(); err != nil {
			return r, fmt.Errorf("bench matmul: %s: %w", name, err)
		}
		wall = append(wall, time.Since(start).Seconds())
		cpu = append(cpu, cpuSeconds()-c0)
	}
	r.MedianS, r.MinS, r.CPUS = benchMedian(wall), slices.Min(wall), benchMedian(cpu)
	r.GFLOPS = flop / r.MedianS / 1e9
	return r, nil
}

func printMatMul(out io.Writer, asJSON bool, r matmulResult) error {
	if asJSON {
		return json.NewEncoder(out).Encode(r)
	}
	blocks := ""
	if r.Block > 0 {
		blocks = fmt.Sprintf(" in %d×%d blocks", r.Block, r.Block)
	}
	_, err := fmt.Fprintf(out, "%-13s %d×%d%s, %d procs, %d runs: median %.3f s, min %.3f s, cpu %.2f s/run, %.2f GFLOPS",
		r.Name, r.Size, r.Size, blocks, r.Procs, r.Runs, r.MedianS, r.MinS, r.CPUS, r.GFLOPS)
	if err == nil && r.Speedup != 0 {
		_, err = fmt.Fprintf(out, "; %.2fx gonum (max |diff| %.2g)", r.Speedup, r.MaxAbsDiff)
	}
	if err == nil {
		_, err = fmt.Fprintln(out)
	}
	return err
}

// cpuSeconds returns the CPU time (user + system) this process has used,
// from /proc/self/stat, or 0 where that cannot be read.
func cpuSeconds() float64 {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are fields 14 and 15 of the whole line, in clock ticks (100 a
	// second on Linux).
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseFloat(fields[11], 64)
	st, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return (ut + st) / 100
}
