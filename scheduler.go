package cairn

import (
	"log/slog"
	"runtime"

	"github.com/cairnlabs/cairn/exec"
	"github.com/cairnlabs/cairn/internal/runner"
)

// Scheduler runs graphs of thunks (Dagger's scheduler, cairn's embedded
// default). Create one with New, share it, and Close it when done. Its
// methods are safe for concurrent use; several Computes may run at once and
// share its slots.
type Scheduler struct {
	r         *runner.Scheduler
	listeners []Listener
}

// New returns a Scheduler configured by cfg (nil: all defaults: the local
// executor on every core, no automatic checkpoints).
func New(cfg *Config) *Scheduler {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.Parallelism < 1 {
		c.Parallelism = runtime.GOMAXPROCS(0)
	}
	if c.Executor == nil {
		c.Executor = exec.NewLocal(c.Parallelism)
	}
	if c.CheckpointConcurrency < 1 {
		c.CheckpointConcurrency = 8
	}
	if c.RestoreConcurrency < 1 {
		c.RestoreConcurrency = 16
	}
	if c.LostRetries < 1 {
		c.LostRetries = 3
	}
	s := &Scheduler{listeners: append([]Listener(nil), c.Listeners...)}
	rc := runner.Config{
		Exec: c.Executor, Store: c.Checkpoints,
		CheckpointMinDuration: c.CheckpointMinDuration, CheckpointConcurrency: c.CheckpointConcurrency,
		RestoreConcurrency: c.RestoreConcurrency, LostRetries: c.LostRetries,
		Logger: c.Logger, FailureLogger: c.Logger,
		BuildError: buildError, Failure: failure,
	}
	if rc.Logger == nil {
		rc.Logger = slog.Default()
	}
	if len(s.listeners) > 0 {
		rc.Sink = s.sink
	}
	s.r = runner.New(rc)
	return s
}

// Parallelism reports how many thunks can run at once now (with a cluster
// executor, it follows the workers that come and go).
func (s *Scheduler) Parallelism() int { return s.r.Slots() }

// Close stops the scheduler: runs still active (spawned ones included) end
// with ErrClosed, and Close waits for tasks that are executing to return and
// for pending checkpoint writes to finish, so that what was computed is
// durable. Close is safe to call more than once. Computes after Close
// return ErrClosed. It does not close an Executor given in Config.
func (s *Scheduler) Close() error {
	s.r.Close()
	return nil
}
