// Package dash shows cairn runs live in a web browser, and exports graphs
// of thunks for Graphviz and Mermaid.
//
// A Dashboard is both a cairn.Listener and an http.Handler. Add it to the
// scheduler's listeners and serve it:
//
//	d := dash.New(nil)
//	url, err := dash.Serve(ctx, "", d) // http://127.0.0.1:PORT/, until ctx is done
//	if err != nil { ... }
//	fmt.Println("dashboard:", url)
//	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{d}})
//
// The page shows the graph of the run it follows (the latest, or one picked
// from the run list) with each thunk's state — pending, queued, running,
// retrying, done, checkpointed, restored, pruned, skipped or failed —, a
// task stream with one bar per task, coloured by function, counts,
// throughput and an ETA, the checkpoint bytes written and read, and the
// errors of failed thunks, restores and checkpoints.
//
// With the local executor the task stream has one row per worker slot of
// this process. With a cluster executor (package cluster) events name the
// worker process of each task (cairn.Event.Worker), and the page shows
// them: the task stream has a group of rows per worker, each task drawn
// when its worker reports it ran, plus a row of tasks in flight (sent,
// their worker known only when they answer); executions lost with a
// worker are hatched, apart from failures; a Workers card counts the
// workers live and gone, the lost executions and the thunks recomputed; a
// Workers panel has a row per worker (tasks, failures, losses, restores,
// busy time); and a thunk's tooltip names the worker that ran it. A
// worker is taken for gone when a lost execution names it and it has not
// answered since: the dashboard knows only what events say.
// Graphs up to Options.DetailLimit thunks (default 500) are drawn thunk by
// thunk; larger ones one box per function with the count of its thunks in
// each state, so that a graph of 100,000 thunks stays responsive. Updates
// reach the page as Server-Sent Events; the page is plain JavaScript and SVG
// embedded in the binary, and fetches nothing from elsewhere.
//
// The Dashboard never slows a run down: OnEvent updates counters under a
// mutex, and each open page is sent a fresh summary at its own pace.
//
// WriteDOT and WriteMermaid write a graph of thunks, coloured by state if
// states are given, for `dot -Tsvg` or for Markdown:
//
//	dash.WriteDOT(os.Stdout, []*cairn.Thunk{z}, nil, nil)
//
// A running Dashboard serves the graph of a run at /graph.dot and
// /graph.mmd, and writes it with its WriteDOT and WriteMermaid methods.
package dash
