package cluster_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
)

// TestCloseWhileWaitingForWorkers closes an executor while a task waits
// for a worker to join (there is none): the run fails at once with
// ErrClosed, instead of waiting for ever.
func TestCloseWhileWaitingForWorkers(t *testing.T) {
	c := startCluster(t, cluster.Config{})
	s := cairn.New(&cairn.Config{Executor: c.ex})
	done := make(chan error, 1)
	go func() {
		_, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(sqFn)(2.0))
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // let the task wait, if it is to
	c.ex.Close()
	select {
	case err := <-done:
		if !errors.Is(err, cluster.ErrClosed) {
			t.Fatalf("err %v: want cluster.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run still waits 10 s after its executor was closed")
	}
	s.Close()
}
