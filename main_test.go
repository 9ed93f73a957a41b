package cairn_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/exec"
)

// TestMain makes the test binary a cluster worker when the conformance
// suite starts it as one.
func TestMain(m *testing.M) {
	cluster.Main()
	code := m.Run()
	closeCluster()
	os.Exit(code)
}

var shared struct {
	once sync.Once
	ex   *cluster.Executor
	err  error
}

// sharedCluster is one cluster executor with two worker processes of this
// test binary, started on first use and closed when the tests end.
func sharedCluster(t testing.TB) exec.Executor {
	t.Helper()
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var stderr io.Writer = io.Discard
		if os.Getenv("CAIRN_TEST_WORKERS") == "verbose" {
			stderr = os.Stderr
		}
		shared.ex, shared.err = cluster.New(ctx, cluster.Config{Workers: 2, SlotsPerWorker: 2,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stderr: stderr})
	})
	if shared.err != nil {
		t.Fatalf("starting the cluster: %v", shared.err)
	}
	return shared.ex
}

func closeCluster() {
	if shared.ex != nil {
		shared.ex.Close()
	}
}

// executors are the executors every conformance test runs on: the local
// one, and the cluster with two worker processes (bigslice's habit).
var executors = []struct {
	name string
	make func(testing.TB) exec.Executor
}{
	{"local", func(testing.TB) exec.Executor { return exec.NewLocal(4) }},
	{"cluster", sharedCluster},
}

// eachExecutor runs f once per executor, as a subtest.
func eachExecutor(t *testing.T, f func(t *testing.T, ex exec.Executor, remote bool)) {
	for _, e := range executors {
		t.Run(e.name, func(t *testing.T) {
			if e.name == "cluster" && testing.Short() {
				t.Skip("-short: no worker processes")
			}
			f(t, e.make(t), e.name != "local")
		})
	}
}

var _ = fmt.Sprint
