package runner

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/exec"
	"github.com/cairnlabs/cairn/internal/sched"
)

// Config is what package cairn hands the runner; every field is set.
type Config struct {
	Exec  exec.Executor
	Store *checkpoint.Store // nil: no automatic checkpoints

	CheckpointMinDuration time.Duration
	CheckpointConcurrency int
	RestoreConcurrency    int
	// LostRetries bounds how many times one node may be lost (its worker
	// gone) before the run fails.
	LostRetries int

	// Logger gets warnings that are not returned (failed restores and
	// checkpoints); FailureLogger, if not nil, also gets failed thunks.
	Logger        *slog.Logger
	FailureLogger *slog.Logger
	// Sink, if not nil, gets every event.
	Sink func(*Event)

	// BuildError makes the error of a node that cannot run as written;
	// Failure the error of a node that failed (package cairn's
	// *BuildError and *ThunkFailedError).
	BuildError BuildErrorFunc
	Failure    func(n *Node, attempts int, err error) error
}

// Scheduler runs graphs of nodes on an engine and an executor.
type Scheduler struct {
	cfg       Config
	engine    *sched.Engine
	ckptSem   chan struct{}
	runs      atomic.Uint64
	closeOnce sync.Once
	closed    atomic.Bool
	stopWatch func()
	// unfaithful holds the types whose results the codec refused to store,
	// warned about once each.
	unfaithful sync.Map

	// bg counts the goroutines Close waits for: spawned runs, restores,
	// checkpoint writes and their bookkeeping. mu orders go against Close:
	// nothing is added once closing is set.
	mu      sync.RWMutex
	closing bool
	bg      sync.WaitGroup
}

// New starts a scheduler. Its engine has as many slots as the executor;
// an elastic executor's changes are followed.
func New(cfg Config) *Scheduler {
	s := &Scheduler{cfg: cfg, ckptSem: make(chan struct{}, cfg.CheckpointConcurrency)}
	s.engine = sched.NewEngine(cfg.Exec.Slots())
	if el, ok := cfg.Exec.(exec.Elastic); ok {
		s.stopWatch = el.Watch(s.engine.SetSlots)
	}
	return s
}

// Slots reports how many nodes can run at once now.
func (s *Scheduler) Slots() int { return s.engine.Slots() }

// Closed reports whether Close was called.
func (s *Scheduler) Closed() bool { return s.closed.Load() }

// Close ends active runs with ErrClosed, waits for executing nodes and
// pending checkpoint writes, and stops following the executor.
func (s *Scheduler) Close() {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		if s.stopWatch != nil {
			s.stopWatch()
		}
		s.engine.Close()
		s.bg.Wait()
	})
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

// RunOptions are a run's options (cairn.RunOptions with the final-result
// hooks adapted).
type RunOptions struct {
	Restore            func(ctx context.Context) (exec.Chunk, error)
	Checkpoint         func(ctx context.Context, c exec.Chunk) error
	CheckpointRequired bool
	KeepGoing          bool
	Name               string
}

// Compute runs what the targets need and returns their chunks, with the
// run's statistics (also on error). self is the node a Spawn computes (its
// own spawn state does not make it a leaf), or nil.
func (s *Scheduler) Compute(ctx context.Context, targets []*Node, o RunOptions, self *Node) ([]exec.Chunk, *Stats, error) {
	if s.closed.Load() {
		return nil, nil, ErrClosed
	}
	if len(targets) == 0 {
		return nil, nil, errors.New("cairn: nothing to compute: no thunks given")
	}
	if (o.Restore != nil || o.Checkpoint != nil) && len(targets) != 1 {
		return nil, nil, errors.New("cairn: RunOptions.Restore and Checkpoint need a single target: use Compute")
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	id := s.runs.Add(1)
	start := time.Now()
	events := s.cfg.Sink != nil
	var finalEvent *Event // the final restore's, sent after RunStarted
	if o.Restore != nil {
		c, ev, ok := s.restoreFinal(ctx, id, o)
		if ok {
			st := &Stats{FinalRestored: true, Duration: time.Since(start)}
			if events {
				s.cfg.Sink(&Event{Kind: RunStarted, Time: start, Run: id, RunName: o.Name})
				s.send(ev)
				s.cfg.Sink(&Event{Kind: RunFinished, Time: time.Now(), Run: id, RunName: o.Name, Duration: st.Duration, Stats: st})
			}
			return []exec.Chunk{c}, st, nil
		}
		finalEvent = ev
	}
	g, err := compile(targets, self, s.cfg.BuildError)
	if err != nil {
		return nil, nil, err
	}
	r := newRun(s, id, o.Name, g, events)
	r.spawned = self != nil
	g.spec.KeepGoing = o.KeepGoing
	if events {
		s.cfg.Sink(&Event{Kind: RunStarted, Time: start, Run: id, RunName: o.Name, Nodes: g.nodes})
		s.send(finalEvent)
	}
	sr, err := s.engine.Start(ctx, &g.spec, r)
	if errors.Is(err, sched.ErrClosed) {
		return nil, nil, ErrClosed
	} else if err != nil {
		return nil, nil, err
	}
	r.sr = sr
	err = sr.Wait()
	if errors.Is(err, sched.ErrClosed) {
		err = ErrClosed
	}
	if err == nil || ctx.Err() == nil {
		// Compute returns only once this run's checkpoints are durable or
		// reported failed. A cancelled run returns at once; Close waits.
		r.ckpts.Wait()
	}
	r.endRun(ctx)
	var out []exec.Chunk
	finalCkpt := false
	if err == nil {
		out = make([]exec.Chunk, len(targets))
		for i, t := range targets {
			out[i] = r.result(g.index[t])
		}
		r.releaseRest(ctx)
		if o.Checkpoint != nil {
			finalCkpt, err = s.checkpointFinal(ctx, id, o, out[0])
		}
	}
	st := r.stats(time.Since(start))
	st.FinalCheckpointed = finalCkpt
	if events {
		s.cfg.Sink(&Event{Kind: RunFinished, Time: time.Now(), Run: id, RunName: o.Name, Duration: st.Duration, Err: err, Stats: st})
	}
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// endRun records, for garbage collection of unused checkpoints, that the
// run ended and what it read: bookkeeping written in the background once
// the run's checkpoints are; Close waits for it.
func (r *run) endRun(ctx context.Context) {
	st := r.s.cfg.Store
	if st == nil || r.keys == nil {
		return
	}
	end := func() {
		r.ckpts.Wait()
		st.EndRun(context.WithoutCancel(ctx), r.runID)
	}
	if !r.s.goBackground(end) {
		end()
	}
}
