// Package sched is cairn's scheduler core: dependency counts, the ready
// queue, dispatch to a fixed set of worker slots, demand-driven restore and
// failure propagation.
//
// It knows nothing of functions, values, checkpoints or I/O. A graph is a
// compressed list of dependency indices (a [Spec]); what a node means, how it
// runs and how it might be restored is the business of the [Hooks] that the
// caller passes in. That keeps the state machine small, testable on its own,
// and indifferent to whether a task runs in this process or on another
// machine: an executor that blocks on the network is just a slow Execute.
//
// # Demand-driven restore
//
// A run starts from its targets and walks down: a demanded node that may be
// restored is restored first, and only a miss demands its dependencies. A
// node no consumer ever demands is never restored nor run (it is pruned).
// Computation then proceeds bottom-up as dependency counts reach zero.
//
// # Locking
//
// One mutex per [Engine] guards the queue and every run's state; hooks are
// always called without it held.
package sched
