// Package cluster runs cairn's tasks in worker processes, on one machine
// or many, with NATS JetStream as the control plane and HTTP between
// workers as the data plane.
//
// # One machine, many processes
//
// Call Main at the top of main, then make an executor that starts workers:
//
//	func main() {
//		cluster.Main() // returns at once unless this process is a worker
//		ctx := context.Background()
//		ex, err := cluster.New(ctx, cluster.Config{Workers: 4})
//		...
//		defer ex.Close()
//		s := cairn.New(&cairn.Config{Executor: ex, Checkpoints: store})
//
// New starts a NATS server with JetStream inside the process (on
// 127.0.0.1, a free port, its storage in a temporary directory), starts
// this program's binary again as each worker, and waits for them. Workers
// stop when the executor is closed, and within seconds when the driver
// dies (even by SIGKILL): no orphan processes.
//
// # Many machines
//
// Driver and workers point at one NATS URL (a server, or a JetStream
// cluster of three; `cairn server` runs one). Start workers by any
// launcher — ssh, srun, a Kubernetes Job — as the same binary with the
// worker environment (CAIRN_WORKER=1 CAIRN_NATS=nats://host:4222; see
// WorkerConfig), or as `cairn worker --nats URL` for the cairn command's
// own functions; then New(ctx, Config{NATS: url}) uses the workers that
// join, and the scheduler's slots follow them as they come and go.
//
// # What travels where
//
// Functions travel by registered name and version (cairn.Register): a
// worker whose binary lacks one, or has another version, refuses the task
// with an error naming both. Values travel through package codec, which
// refuses what it cannot carry faithfully before anything is sent. A
// result stays on the worker that made it (small ones ride back to the
// driver with the answer), in a store that spills to the worker's disk
// over its memory budget; a task is sent to the worker holding most of its
// input bytes, and fetches the others from their workers over HTTP,
// authenticated by the session's secret. The driver holds the graph and
// references, never the blocks.
//
// Tasks travel in batches on a JetStream work-queue stream, one subject
// and durable consumer per worker, acknowledged once answered (with
// in-progress acknowledgements for long tasks). Workers announce
// themselves and their heartbeats in a JetStream key-value bucket; results
// and checkpoint outcomes come back on one subject per driver.
//
// # Checkpoints and lost workers
//
// With cairn.Config.Checkpoints, the worker holding a value writes its
// checkpoint to the store every worker opens by URL (file:// on a shared
// directory, s3://, nats://...), and restores happen on workers too: the
// driver learns only what happened and how many bytes moved.
//
// A worker that dies or leaves loses the values it held: the tasks it was
// running run elsewhere, and values that are needed again are restored
// from their checkpoints where they exist, else recomputed from their
// lineage. A task lost with its worker then runs alone on a worker of its
// own, so that if it is what kills workers, no other task is lost with it
// again: a task that kills every worker it lands on fails the run after
// cairn.Config.LostRetries tries, with an error naming it, and the tasks
// beside it are lost once at most.
//
// A worker sent SIGTERM (or asked with Executor.Drain) drains: it finishes
// the tasks it is running, declines those it has not started (they run
// elsewhere, and are not counted as lost), and leaves; the values it held
// are made again where needed. A worker whose driver is gone (its standard
// input closed, or the driver's heartbeat silent) leaves at once, within
// seconds. A worker restarted under the same identity is a new worker to
// the driver, and the old process's values are lost.
package cluster
