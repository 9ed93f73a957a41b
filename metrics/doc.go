// Package metrics exports what cairn runs do as Prometheus metrics.
//
//	reg := prometheus.NewRegistry() // or prometheus.DefaultRegisterer
//	m := metrics.New(reg)
//	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{m}})
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// The metrics, all prefixed cairn_:
//
//	cairn_thunks_total{state}                   thunks that reached each state: scheduled, started, finished,
//	                                            failed, retrying, skipped, pruned, restored, restore_missed,
//	                                            restore_failed, checkpointed, checkpoint_failed (counter)
//	cairn_thunks_running                        thunks running now (gauge)
//	cairn_task_duration_seconds{func,result}    run time of each task by function, result "ok" or "failed" (histogram)
//	cairn_runs_total{result}                    runs that ended "ok" or "failed" (counter)
//	cairn_runs_active                           runs going on now (gauge)
//	cairn_run_duration_seconds                  duration of runs (histogram)
//	cairn_checkpoint_bytes_written_total        bytes written by checkpoints, when the store reports them (counter)
//	cairn_restore_bytes_read_total              bytes read by restores, when the store reports them (counter)
//	cairn_checkpoint_errors_total               failed checkpoint writes (counter)
//	cairn_restore_errors_total                  failed restores (counter)
//	cairn_checkpoint_io_seconds{op}             time to write ("write") or read ("read") a checkpoint (histogram)
//
// The func label is the Go name of the function (or its registered name), so
// its cardinality is the number of functions in the program, not of thunks.
// To prefix the names or add constant labels, wrap the registerer with
// prometheus.WrapRegistererWithPrefix or WrapRegistererWith.
package metrics
