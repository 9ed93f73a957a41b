package cairn

import "github.com/cairnlabs/cairn/exec"

// Local returns the executor that runs tasks in this process, n at a time
// (n < 1 means GOMAXPROCS): the default. Package exec defines what an
// executor is; package cluster has one that runs tasks in worker processes.
func Local(n int) exec.Executor { return exec.NewLocal(n) }
