// Package runner gives a graph of thunks its meaning: it numbers the
// graph's nodes, computes their checkpoint keys, and implements the
// scheduler core's hooks (internal/sched) — restores before running,
// tasks handed to an executor (package exec), checkpoints after success,
// failures, retries and lost work, events and statistics. Package cairn
// wraps it in the user API; nothing here is for users.
//
// A context is never kept in a struct: a run's context travels as an
// argument, and into the engine's callbacks as a closure made for the run.
package runner
