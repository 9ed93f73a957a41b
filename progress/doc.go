// Package progress draws a progress bar for each cairn run in a terminal:
// thunks completed out of the graph, how many are done, running, restored
// and failed, the throughput and an ETA. With a cluster executor it also
// says how many workers the run's tasks ran on and, if any, how many
// executions were lost with a worker ("2 workers · 3 lost"); a thunk made
// again after its value was lost counts once.
//
//	bar := progress.Auto(os.Stderr) // nil, and quiet, unless stderr is a terminal
//	defer bar.Wait()                // after the runs: draw the final state
//	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{bar}})
//
// A *Bar is a cairn.Listener. Its OnEvent only adds to counters; a
// goroutine of its own redraws the bars a few times a second, so a run is
// never slowed by its terminal. A nil *Bar is valid and does nothing, so
// the result of Auto can be used without a check.
//
// Anything else written to the same terminal while bars are drawn (log
// lines, for one) is overwritten in places: write it through Output, which
// prints above the bars when there are bars:
//
//	log := slog.New(slog.NewTextHandler(bar.Output(os.Stderr), nil))
package progress
