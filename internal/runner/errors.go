package runner

import "errors"

// The sentinels of package cairn, which re-exports them.
var (
	ErrNoCheckpoint = errors.New("cairn: no checkpoint")
	ErrClosed       = errors.New("cairn: scheduler closed")
	ErrNotSpawned   = errors.New("cairn: thunk was not spawned")
	ErrRetryable    = errors.New("cairn: retryable")
	ErrUnkeyable    = errors.New("cairn: thunk has no stable key")
)
