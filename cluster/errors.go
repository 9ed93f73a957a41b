package cluster

import (
	"errors"
	"fmt"

	"github.com/cairnlabs/cairn"
)

// RemoteError is a task's failure in a worker: the function's error or
// panic, as text (errors do not cross processes as values). It matches
// cairn.ErrRetryable if the worker's error did, so Options.Retries apply.
type RemoteError struct {
	// Worker is the worker the task ran on.
	Worker string
	// Msg is the error's text; Panic says the function panicked, and
	// Stack is the goroutine's stack then.
	Msg   string
	Panic bool
	Stack string
	// Retryable is whether the error matched cairn.ErrRetryable.
	Retryable bool
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("%s (on worker %s)", e.Msg, e.Worker)
}

// Is matches cairn.ErrRetryable when the worker's error did.
func (e *RemoteError) Is(target error) bool { return e.Retryable && target == cairn.ErrRetryable }

// ErrClosed is the error of calls on a closed executor.
var ErrClosed = errors.New("cluster: executor closed")

// DeliveryError fails the tasks of a message that JetStream delivered
// MaxDeliver times to a worker without an acknowledgement: the worker kept
// dying or stalling on it.
type DeliveryError struct {
	Worker     string
	Deliveries int
}

func (e *DeliveryError) Error() string {
	return fmt.Sprintf("cluster: the task's message was delivered %d times to worker %s and never answered (the worker keeps dying or stalling on it)", e.Deliveries, e.Worker)
}
