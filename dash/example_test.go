package dash_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/dash"
)

func half(x float64) float64 { return x / 2 }

// A dashboard for a scheduler: serve it, print its URL for the user, and
// add it to the scheduler's listeners.
func Example() {
	ctx, stop := context.WithCancel(context.Background())
	defer stop() // stops the server

	d := dash.New(&dash.Options{Title: "my job"})
	url, err := dash.Serve(ctx, "", d) // "" = 127.0.0.1, a free port
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = url // fmt.Println("dashboard:", url)

	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{d}})
	defer s.Close()
	z, _ := cairn.Collect[float64](ctx, s, cairn.Delayed(half)(cairn.Delayed(half)(8.0)))

	// What a browser sees, in brief.
	resp, err := http.Get(url + "state.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var st struct {
		Title string
		Run   struct{ Status string }
	}
	json.NewDecoder(resp.Body).Decode(&st)
	fmt.Println(z, st.Title, st.Run.Status)
	// Output: 2 my job ok
}

func ExampleWriteDOT() {
	x := cairn.Delayed(half, cairn.Options{Name: "x"})(8.0)
	y := cairn.Delayed(half, cairn.Options{Name: "y"})(x)
	states := map[uint64]dash.State{x.ID(): dash.Restored, y.ID(): dash.Failed}
	dash.WriteDOT(os.Stdout, []*cairn.Thunk{y}, states, &dash.GraphOptions{LeftToRight: true})
	// Output:
	// digraph cairn {
	// 	graph [rankdir=LR, fontname="Helvetica,Arial,sans-serif", fontsize=12, labelloc=t, nodesep=0.15, ranksep=0.5];
	// 	node [shape=box, style="rounded,filled", fontname="Helvetica,Arial,sans-serif", fontsize=10, height=0.3, margin="0.08,0.03", color="#6b7280", fillcolor="#ffffff"];
	// 	edge [color="#9aa3ad", arrowsize=0.5];
	// 	label=<2 thunks: <FONT COLOR="#8e6bd8">■</FONT> 1 restored  <FONT COLOR="#e05252">■</FONT> 1 failed>;
	// 	n0 [label="x", fillcolor="#8e6bd8", fontcolor="#ffffff", tooltip="x: restored"];
	// 	n1 [label="y", fillcolor="#e05252", fontcolor="#ffffff", tooltip="y: failed"];
	// 	n0 -> n1;
	// }
}

func ExampleWriteMermaid() {
	var ys []any
	for i := range 3 {
		ys = append(ys, cairn.Delayed(half, cairn.Options{Name: fmt.Sprintf("half[%d]", i)})(float64(i)))
	}
	z := cairn.Delayed(innerFixed, cairn.Options{Name: "inner"})(ys...)
	dash.WriteMermaid(os.Stdout, []*cairn.Thunk{z}, nil, nil)
	// Output:
	// flowchart TD
	// %% 4 thunks
	//     n0["half[0]"]
	//     n1["half[1]"]
	//     n2["half[2]"]
	//     n3["inner"]
	//     n0 --> n3
	//     n1 --> n3
	//     n2 --> n3
}

func square(x float64) float64 { return x * x }

func add(xs ...float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// Workers find functions by their registered names.
var (
	squareFn = cairn.Register("dash_test.square", square)
	addFn    = cairn.Register("dash_test.add", add)
)

// With a cluster executor the dashboard shows which worker ran each task:
// the task stream has a group of rows per worker, a Workers card and
// panel count what each did and the executions lost with a worker, and a
// thunk's tooltip names its worker. Nothing changes in how it is used.
// (The program must call cluster.Main first: here, TestMain does.)
func ExampleDashboard_workers() {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	ex, err := cluster.New(ctx, cluster.Config{Workers: 1, Logger: slog.New(slog.DiscardHandler), Stderr: io.Discard})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ex.Close()
	d := dash.New(nil)
	url, err := dash.Serve(ctx, "", d)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := cairn.New(&cairn.Config{Executor: ex, Listeners: []cairn.Listener{d}})
	defer s.Close()
	var xs []*cairn.Thunk
	for i := range 8 {
		xs = append(xs, cairn.Delayed(squareFn)(float64(i)))
	}
	z, err := cairn.Collect[float64](ctx, s, cairn.Delayed(addFn)(cairn.Args(xs)...))
	if err != nil {
		fmt.Println(err)
		return
	}

	resp, err := http.Get(url + "state.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var st struct {
		Run struct {
			Workers []struct {
				Name        string
				Tasks, Lost int
			}
		}
	}
	json.NewDecoder(resp.Body).Decode(&st)
	for _, w := range st.Run.Workers {
		fmt.Printf("%v: a worker ran %d tasks and lost %d; it is the executor's: %v\n",
			z, w.Tasks, w.Lost, w.Name == ex.Workers()[0].ID)
	}
	// Output: 140: a worker ran 9 tasks and lost 0; it is the executor's: true
}
