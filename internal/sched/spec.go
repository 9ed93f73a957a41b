package sched

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Spec is the shape of one run's graph: N nodes, numbered 0..N-1, with
// their dependencies in compressed-row form. Node i depends on
// Deps[DepStart[i]:DepStart[i+1]]; a dependency must not repeat within one
// node, and the graph must be acyclic.
type Spec struct {
	N        int32
	DepStart []int32
	Deps     []int32
	// Priority, if not nil, gives each node's priority: among ready nodes a
	// higher priority runs first. Nil means all zero.
	Priority []int32
	// Restorable, if not nil, marks the nodes whose Hooks.Restore should be
	// asked before they run. Nil means none.
	Restorable []bool
	// Targets are the nodes whose values the run must produce.
	Targets []int32
	// KeepGoing keeps running work that does not depend on a failed node.
	// By default the first failure stops the run from starting new work;
	// work already running finishes.
	KeepGoing bool
}

func (s *Spec) validate() error {
	if s.N < 0 || len(s.DepStart) != int(s.N)+1 {
		return fmt.Errorf("sched: spec has %d nodes but %d dependency offsets", s.N, len(s.DepStart))
	}
	if s.Priority != nil && len(s.Priority) != int(s.N) {
		return errors.New("sched: spec priority length does not match node count")
	}
	if s.Restorable != nil && len(s.Restorable) != int(s.N) {
		return errors.New("sched: spec restorable length does not match node count")
	}
	if len(s.Targets) == 0 {
		return errors.New("sched: spec has no targets")
	}
	for _, t := range s.Targets {
		if t < 0 || t >= s.N {
			return fmt.Errorf("sched: target %d out of range", t)
		}
	}
	for _, d := range s.Deps {
		if d < 0 || d >= s.N {
			return fmt.Errorf("sched: dependency %d out of range", d)
		}
	}
	return nil
}

// Hooks give a run's nodes their meaning. The engine calls them without its
// lock held, from its worker goroutines (Execute) or from whichever
// goroutine advanced the run (Restore, Scheduled), with the run's context.
type Hooks interface {
	// Execute runs node i, whose dependencies have all succeeded, on worker
	// slot w, and says how it went (see Outcome).
	Execute(ctx context.Context, i int32, w int) Outcome
	// Restore is asked for a demanded node marked Restorable. It must cause
	// exactly one later call of Run.RestoreDone for i, from any goroutine
	// (it may call it before returning).
	Restore(ctx context.Context, r *Run, i int32)
	// Release reports that the value of node i is no longer needed by the
	// run (every consumer has finished or was restored), or that it is
	// gone (an Outcome named it in LostDeps: it is made again). It is
	// called with the engine's lock held and must be quick and must not
	// call back.
	Release(i int32)
	// Scheduled reports that node i is ready and queued.
	Scheduled(i int32)
}

// Outcome is how an execution of a node went. The zero Outcome is success.
type Outcome struct {
	// Err, if not nil, fails the node (unless Retry or Lost is set).
	Err error
	// Retry, if positive, runs the node again after that delay.
	Retry time.Duration
	// Lost runs the node again at once: it did not fail, it was lost (its
	// worker is gone, or inputs it needed are).
	Lost bool
	// LostDeps, with Lost, names dependencies whose values are gone: they
	// are made again (restored or recomputed, and their own released
	// dependencies with them) before the node runs again.
	LostDeps []int32
}

// State is a node's state within a run.
type State uint8

// The states of a node. A node that ends the run Unneeded was pruned: no
// consumer demanded it.
const (
	Unneeded  State = iota // not (yet) demanded by any consumer
	Restoring              // Hooks.Restore asked, answer pending
	Waiting                // to run, once its dependencies are done
	Queued                 // ready, in the queue
	Running                // executing
	Done                   // computed
	Restored               // restored, not computed
	Failed                 // failed
	Skipped                // not run: a dependency failed, or the run stopped
)

var stateNames = [...]string{"unneeded", "restoring", "waiting", "queued", "running", "done", "restored", "failed", "skipped"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", s)
}
