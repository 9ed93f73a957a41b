package cairn

import (
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cairnlabs/cairn/internal/sched"
)

// Scheduler runs graphs of thunks (Dagger's scheduler, cairn's embedded
// default). Create one with New, share it, and Close it when done. Its
// methods are safe for concurrent use; several Computes may run at once and
// share its worker slots.
type Scheduler struct {
	cfg       Config
	exec      Executor
	engine    *sched.Engine
	logger    *slog.Logger
	listeners []Listener
	ckptSem   chan struct{}
	ckptWG    sync.WaitGroup // every checkpoint write in flight
	spawnWG   sync.WaitGroup // every spawned run
	runs      atomic.Uint64
	closeOnce sync.Once
	closed    atomic.Bool
}

// New returns a Scheduler configured by cfg (nil: all defaults: the local
// executor on every core, no automatic checkpoints).
func New(cfg *Config) *Scheduler {
	s := &Scheduler{}
	if cfg != nil {
		s.cfg = *cfg
	}
	if s.cfg.Parallelism < 1 {
		s.cfg.Parallelism = runtime.GOMAXPROCS(0)
	}
	s.exec = s.cfg.Executor
	if s.exec == nil {
		s.exec = Local(s.cfg.Parallelism)
	}
	if s.cfg.CheckpointConcurrency < 1 {
		s.cfg.CheckpointConcurrency = 8
	}
	if s.cfg.RestoreConcurrency < 1 {
		s.cfg.RestoreConcurrency = 16
	}
	s.logger = s.cfg.Logger
	if s.logger == nil {
		s.logger = slog.Default()
	}
	s.listeners = append([]Listener(nil), s.cfg.Listeners...)
	s.ckptSem = make(chan struct{}, s.cfg.CheckpointConcurrency)
	s.engine = sched.NewEngine(s.exec.Slots())
	return s
}

// Parallelism reports how many thunks can run at once.
func (s *Scheduler) Parallelism() int { return s.engine.Slots() }

// Close stops the scheduler: runs still active (spawned ones included) end
// with ErrClosed, and Close waits for tasks that are executing to return and
// for pending checkpoint writes to finish, so that what was computed is
// durable. Close is safe to call more than once. Computes after Close
// return ErrClosed.
func (s *Scheduler) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.engine.Close()
		s.spawnWG.Wait()
		s.ckptWG.Wait()
	})
	return nil
}

func (s *Scheduler) emit(e Event) {
	for _, l := range s.listeners {
		l.OnEvent(e)
	}
}
