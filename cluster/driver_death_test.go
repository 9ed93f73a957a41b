package cluster_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
)

// The driver-death test runs a driver in a child process (this test
// binary, told so by envDriver), kills it with SIGKILL mid-run, and
// checks that the workers it started exit within seconds, and that a
// second run restores what the first one checkpointed.

const (
	envDriver = "CT_DRIVER"      // the store directory: be the driver
	envLong   = "CT_LONG_TASK"   // how long the long task runs
	envMarks  = "CT_DRIVER_MARK" // where the long task says it started
	steps     = 16
)

// step is a checkpointed task that takes a little while.
func step(i int) float64 {
	time.Sleep(300 * time.Millisecond)
	return float64(i * i)
}

// long is a task that runs for as long as envLong says (else at once),
// after leaving a file in envMarks: the driver dies while it runs.
func long(x float64) float64 {
	if dir := os.Getenv(envMarks); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o600)
	}
	if d, err := time.ParseDuration(os.Getenv(envLong)); err == nil {
		time.Sleep(d)
	}
	return x
}

var (
	stepFn = cairn.Register("ct.step", step)
	longFn = cairn.Register("ct.long", long, cairn.NoCheckpoint())
)

// driverGraph is a long task (first, by priority), the steps, and their
// sum; only the steps have checkpoints.
func driverGraph() (*cairn.Thunk, []*cairn.Thunk) {
	args := []any{cairn.Delayed(longFn, cairn.Options{Priority: 10})(1.0)}
	var ss []*cairn.Thunk
	for i := range steps {
		s := cairn.Delayed(stepFn)(i)
		ss = append(ss, s)
		args = append(args, s)
	}
	return cairn.Delayed(totalFn, cairn.Options{NoCheckpoint: true})(args...), ss
}

// driverMain is the child: a driver with a NATS server and two workers of
// its own, that prints the server's URL and the workers' process IDs,
// then runs the graph.
func driverMain(t *testing.T) {
	ctx := context.Background()
	srv, err := cluster.StartServer(ctx, cluster.ServerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := cluster.New(ctx, cluster.Config{NATS: srv.URL(), Name: "killed", Workers: 2, SlotsPerWorker: 2,
		Heartbeat: 200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, w := range ex.Workers() {
		pids = append(pids, strconv.Itoa(w.PID))
	}
	fmt.Printf("nats %s\n", srv.URL())
	fmt.Printf("pids %s\n", strings.Join(pids, " "))
	s := cairn.New(&cairn.Config{Executor: ex, Checkpoints: openStore(t, os.Getenv(envDriver))})
	z, _ := driverGraph()
	_, err = cairn.Collect[float64](ctx, s, z)
	t.Fatalf("the run was to be killed, but it ended: %v", err)
}

// TestDriverKilled kills a driver with SIGKILL while its workers run a
// long task and checkpoints are being written: every worker it started,
// and one started by hand (which sees the driver fall silent rather than
// its standard input close), exits within seconds (no orphans), and a
// second run, in this process on a new cluster, restores each step that
// was checkpointed and computes only the others.
func TestDriverKilled(t *testing.T) {
	if os.Getenv(envDriver) != "" {
		driverMain(t)
		return
	}
	store, marks := t.TempDir(), t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDriverKilled$", "-test.v")
	cmd.Env = append(os.Environ(), envDriver+"="+store, envLong+"=1m", envMarks+"="+marks)
	out := newLines(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = out.prefixed("[driver] ")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	pidLine, natsLine := make(chan string, 1), make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "pids ") {
				pidLine <- sc.Text()
			}
			if strings.HasPrefix(sc.Text(), "nats ") {
				natsLine <- sc.Text()
			}
			fmt.Fprintln(out, "[driver] "+sc.Text())
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var line string
	select {
	case line = <-pidLine:
	case err := <-exited:
		t.Fatalf("the driver exited before starting its workers: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("the driver did not start its workers within a minute")
	}
	pids := map[int]uint64{} // worker PID: its start time
	for _, f := range strings.Fields(line)[1:] {
		pid, _ := strconv.Atoi(f)
		start, alive := procStart(pid)
		if !alive {
			t.Fatalf("worker %d is not running", pid)
		}
		pids[pid] = start
	}
	if len(pids) != 2 {
		t.Fatalf("the driver printed %q: want two worker PIDs", line)
	}
	// A worker started by hand on the driver's server: it has no pipe
	// from the driver.
	hc := &testCluster{url: strings.TrimPrefix(<-natsLine, "nats "), name: "killed", out: out}
	hand := hc.startWorker(t, "hand1", envLong+"=1m", envMarks+"="+marks)
	handStart, _ := procStart(hand.Process.Pid)
	pids[hand.Process.Pid] = handStart

	// Kill the driver once the long task runs and some steps are
	// checkpointed.
	_, ss := driverGraph()
	st := openStore(t, store)
	checkpointed := func() (n int) {
		for _, s := range ss {
			key, err := s.Key()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.Stat(context.Background(), key); err == nil {
				n++
			}
		}
		return n
	}
	started(t, marks)
	waitFor(t, time.Minute, "4 checkpoints", func() bool { return checkpointed() >= 4 })
	kill(t, cmd.Process.Pid)
	<-exited
	killedAt := time.Now()
	t.Logf("killed the driver with %d steps checkpointed", checkpointed())

	// Its workers leave within seconds, though one runs a long task.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var alive []int
		for pid, start := range pids {
			if now, ok := procStart(pid); ok && now == start {
				alive = append(alive, pid)
			}
		}
		if len(alive) == 0 {
			break
		}
		if time.Now().After(deadline) {
			for _, pid := range alive {
				env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
				for _, kv := range strings.Split(string(env), "\x00") {
					if strings.HasPrefix(kv, "CAIRN_WORKER_ID=") {
						t.Logf("still running: %d %s", pid, kv)
					}
				}
				_ = syscall.Kill(pid, syscall.SIGQUIT)
			}
			time.Sleep(time.Second)
			t.Fatalf("workers %v still run 10s after their driver was killed", alive)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("the workers exited %v after the driver was killed", time.Since(killedAt).Round(time.Millisecond))

	// Nothing writes to the store any more: run again.
	have := checkpointed()
	if have == steps {
		t.Fatalf("all %d steps were checkpointed before the driver died: nothing left to resume", steps)
	}
	c := startCluster(t, cluster.Config{Workers: 2, SlotsPerWorker: 2})
	s := cairn.New(&cairn.Config{Executor: c.ex, Checkpoints: st})
	defer s.Close()
	z, _ := driverGraph()
	var rs cairn.RunStats
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := cairn.Collect[float64](ctx, s, z, cairn.RunOptions{Stats: &rs})
	want := 1.0
	for i := range steps {
		want += float64(i * i)
	}
	if err != nil || got != want {
		t.Fatalf("rerun: %v, %v; want %v", got, err, want)
	}
	if rs.Restored != have || rs.Computed != steps-have+2 {
		t.Fatalf("killed with %d of %d steps checkpointed: the rerun restored %d and computed %d, want %d and %d",
			have, steps, rs.Restored, rs.Computed, have, steps-have+2)
	}
	t.Logf("killed with %d of %d steps checkpointed; the rerun restored %d, computed %d", have, steps, rs.Restored, rs.Computed)
}
