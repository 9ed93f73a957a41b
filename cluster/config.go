package cluster

import (
	"log/slog"
	"runtime"
	"time"
)

// Config configures an executor (New).
type Config struct {
	// Workers, if positive, starts that many worker processes of this
	// program's binary (which must call Main at the top of main). With NATS
	// empty they use a NATS server started in this process; with NATS set,
	// they join it beside any other workers.
	Workers int
	// MinWorkers makes New wait until that many workers have joined
	// (StartTimeout at most). Default: Workers; with NATS and no Workers,
	// New returns at once and tasks wait for workers to join.
	MinWorkers int
	// NATS is the URL of a NATS server or cluster with JetStream
	// (nats://host:4222, several separated by commas). Empty: start one in
	// this process on 127.0.0.1 (Workers must then be positive).
	NATS string
	// Name scopes the stream, bucket and subjects, so that several
	// clusters can share one NATS server. Default "cairn". One driver at a
	// time per name.
	Name string
	// Replicas is the JetStream replication of the task stream and the
	// membership bucket (3 on a 3-node cluster). Default 1.
	Replicas int

	// SlotsPerWorker is how many tasks a started worker runs at once.
	// Default: the cores divided among the workers started (at least 1).
	// Workers started elsewhere say their own (WorkerConfig.Slots).
	SlotsPerWorker int
	// Pipeline is how many tasks per slot the driver keeps in flight, so
	// that workers do not wait for the network. Default 32.
	Pipeline int
	// InlineMax is the largest result, in bytes, that rides back to the
	// driver with its answer; larger ones stay on their worker. Default
	// 64 KiB.
	InlineMax int
	// WorkerMemory is the memory budget of a started worker's store of
	// values, in bytes, beyond which it spills to its disk. Default 1 GiB.
	WorkerMemory int64
	// Dir holds the started workers' scratch directories and the embedded
	// server's storage. Default: a new temporary directory, removed by
	// Close.
	Dir string

	// Heartbeat is how often driver and workers say they are alive;
	// a worker silent for WorkerTimeout is taken as gone (and its values
	// as lost), and a worker whose driver is silent that long leaves.
	// Defaults 1s and 5s.
	Heartbeat     time.Duration
	WorkerTimeout time.Duration
	// StartTimeout bounds how long New waits for started workers to join.
	// Default 60s.
	StartTimeout time.Duration
	// AckWait is how long JetStream waits for a worker to acknowledge a
	// task message (workers send in-progress acknowledgements while they
	// run long tasks) before delivering it again; MaxDeliver bounds the
	// deliveries, after which the driver fails the message's tasks.
	// Defaults 30s and 5.
	AckWait    time.Duration
	MaxDeliver int

	// Env is added to the environment of started workers.
	Env []string
	// Stderr receives started workers' standard error, each line prefixed
	// with the worker's name. Default: this process's standard error.
	Stderr interface{ Write([]byte) (int, error) }
	// Logger gets the executor's own messages (workers joining and
	// leaving). Default: slog.Default().
	Logger *slog.Logger
}

func (c *Config) defaults() {
	if c.Name == "" {
		c.Name = "cairn"
	}
	if c.Replicas < 1 {
		c.Replicas = 1
	}
	if c.SlotsPerWorker < 1 {
		c.SlotsPerWorker = 1
		if c.Workers > 0 {
			c.SlotsPerWorker = max(1, runtime.NumCPU()/c.Workers)
		}
	}
	if c.Pipeline < 1 {
		c.Pipeline = 32
	}
	if c.InlineMax <= 0 {
		c.InlineMax = 64 << 10
	}
	if c.WorkerMemory <= 0 {
		c.WorkerMemory = 1 << 30
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = time.Second
	}
	if c.WorkerTimeout <= 0 {
		c.WorkerTimeout = 5 * c.Heartbeat
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = 60 * time.Second
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxDeliver < 1 {
		c.MaxDeliver = 5
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// The worker environment: a process started with CAIRN_WORKER=1 is a
// worker when it calls Main; the other variables configure it (see
// WorkerConfig). A launcher sets them on each worker it starts.
const (
	EnvWorker    = "CAIRN_WORKER"    // "1": be a worker
	EnvNATS      = "CAIRN_NATS"      // the NATS URL
	EnvName      = "CAIRN_CLUSTER"   // the cluster's name (default "cairn")
	EnvID        = "CAIRN_WORKER_ID" // the worker's identity (default: generated)
	EnvSlots     = "CAIRN_SLOTS"     // tasks at once (default GOMAXPROCS)
	EnvMemory    = "CAIRN_MEMORY"    // memory budget, such as 4GiB
	EnvDir       = "CAIRN_DIR"       // scratch directory (default: temporary)
	EnvAdvertise = "CAIRN_ADVERTISE" // the address other workers reach this one at
	EnvReplicas  = "CAIRN_REPLICAS"  // JetStream replicas, as Config.Replicas
	// envParent marks a worker started by a driver in this machine: its
	// standard input is the driver's pipe, closed when the driver dies.
	envParent = "CAIRN_PARENT_PIPE"
	// envHeartbeat and envTimeout carry the driver's timing to workers it
	// starts.
	envHeartbeat = "CAIRN_HEARTBEAT"
	envTimeout   = "CAIRN_WORKER_TIMEOUT"
)
