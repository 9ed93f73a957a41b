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
	runs      atomic.Uint64
	closeOnce sync.Once
	closed    atomic.Bool

	// bg counts the goroutines Close waits for: spawned runs, restores,
	// checkpoint writes and their bookkeeping. mu orders go against Close:
	// nothing is added once closing is set.
	mu      sync.RWMutex
	closing bool
	bg      sync.WaitGroup
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
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		s.engine.Close()
		s.bg.Wait()
	})
	return nil
}

// goBackground runs f on a goroutine that Close waits for, and reports
// true; once Close has begun it runs nothing and reports false.
func (s *Scheduler) goBackground(f func()) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closing {
		return false
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		f()
	}()
	return true
}

func (s *Scheduler) emit(e Event) {
	for _, l := range s.listeners {
		l.OnEvent(e)
	}
}
