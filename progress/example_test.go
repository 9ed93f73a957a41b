package progress_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/progress"
)

// Auto draws bars only on a terminal: under `go test` stdout is not one, so
// this example prints only its result.
func ExampleAuto() {
	bar := progress.Auto(os.Stdout) // nil unless stdout is a terminal
	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{bar}})
	defer s.Close()

	z, err := cairn.Collect[float64](context.Background(), s, seed(8, false, total))
	bar.Wait() // draw the final state before printing more
	fmt.Println(z, err)
	// Output: 52 <nil>
}

func square(x float64) float64 { return x * x }

// Workers find functions by their registered names.
var (
	squareFn = cairn.Register("progress_test.square", square)
	totalFn  = cairn.Register("progress_test.total", total)
)

// With a cluster executor a run's bar (or line, on a writer that is not a
// terminal) also says how many workers its tasks ran on, and how many
// executions were lost with a worker, if any: "2 workers · 3 lost". (The
// program must call cluster.Main first: here, TestMain does.)
func ExampleNew_workers() {
	ctx := context.Background()
	ex, err := cluster.New(ctx, cluster.Config{Workers: 1, Logger: slog.New(slog.DiscardHandler), Stderr: io.Discard})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ex.Close()
	var out strings.Builder // not a terminal: one line per run
	bar := progress.New(&out, &progress.Options{RefreshRate: time.Hour})
	s := cairn.New(&cairn.Config{Executor: ex, Listeners: []cairn.Listener{bar}})
	defer s.Close()
	var xs []*cairn.Thunk
	for i := range 8 {
		xs = append(xs, cairn.Delayed(squareFn)(float64(i)))
	}
	z, err := cairn.Collect[float64](ctx, s, cairn.Delayed(totalFn)(cairn.Args(xs)...), cairn.RunOptions{Name: "squares"})
	bar.Wait()
	line, _, _ := strings.Cut(out.String(), " · finished in") // the time varies
	fmt.Println(z, err)
	fmt.Println(line)
	// Output:
	// 140 <nil>
	// run 1 squares 9/9 9 done · 1 worker
}
