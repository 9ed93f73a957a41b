package cluster_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/cluster"
)

// Helpers for the tests that start, kill and watch real processes: worker
// processes of this test binary, and drivers.

// chaos reports whether CAIRN_CHAOS asks for the long runs.
func chaos() bool { return os.Getenv("CAIRN_CHAOS") != "" }

// rounds is n, or long with CAIRN_CHAOS set.
func rounds(n, long int) int {
	if chaos() {
		return long
	}
	return n
}

// seededRand returns a random source seeded from CAIRN_CHAOS_SEED, or
// from the clock; the seed is logged, so that a failure can be replayed.
func seededRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CAIRN_CHAOS_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CAIRN_CHAOS_SEED=%q: want a number", s)
		}
		seed = v
	}
	t.Logf("seed %d (replay with CAIRN_CHAOS_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// testCluster is an executor whose NATS server the test started, so that
// it can start more workers by hand.
type testCluster struct {
	ex   *cluster.Executor
	url  string
	name string
	dir  string
	out  *lines
}

// startCluster starts a NATS server and an executor on it with cfg
// (cfg.Workers started by the executor). Worker output goes to the test
// log if the test fails.
func startCluster(t *testing.T, cfg cluster.Config) *testCluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := cluster.StartServer(ctx, cluster.ServerConfig{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	out := newLines(t)
	cfg.NATS = srv.URL()
	if cfg.Name == "" {
		cfg.Name = "t" + strconv.FormatUint(rand.Uint64()%1e9, 36)
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = 200 * time.Millisecond
	}
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	cfg.Stderr = out
	cfg.Logger = slog.New(slog.NewTextHandler(out, nil))
	ex, err := cluster.New(ctx, cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Cleanup(func() { ex.Close() })
	return &testCluster{ex: ex, url: srv.URL(), name: cfg.Name, dir: cfg.Dir, out: out}
}

// startWorker starts a worker by hand, as a launcher on another machine
// would: this test binary with the worker environment (and env), nothing
// else. The test kills it at the end if it is still running.
func (c *testCluster) startWorker(t *testing.T, id string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), cluster.EnvWorker+"=1", cluster.EnvNATS+"="+c.url,
		cluster.EnvName+"="+c.name, cluster.EnvID+"="+id, cluster.EnvSlots+"=1",
		cluster.EnvDir+"="+t.TempDir(), "GOMAXPROCS=1")
	cmd.Env = append(cmd.Env, env...)
	w := c.out.prefixed("[" + id + "] ")
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	return cmd
}

// waitFor polls cond until it holds, or fails the test after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// procStart returns a process's start time (in clock ticks since boot)
// and whether it is running: it exists and is not a zombie. The start
// time tells a process from a later one with the same PID.
func procStart(pid int) (start uint64, alive bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// pid (comm) state ppid ... starttime is field 22; comm may hold
	// spaces and parentheses, so count from the last ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return 0, false
	}
	start, _ = strconv.ParseUint(f[19], 10, 64)
	return start, f[0] != "Z" && f[0] != "X"
}

// kill sends SIGKILL to a process.
func kill(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		t.Fatalf("kill %d: %v", pid, err)
	}
}

// lines collects the output of workers and executors; the test log shows
// it if the test fails.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newLines(t *testing.T) *lines {
	l := &lines{}
	t.Cleanup(func() {
		if t.Failed() || testing.Verbose() && os.Getenv("CAIRN_TEST_WORKERS") == "verbose" {
			t.Logf("output of workers and executor:\n%s", l)
		}
	})
	return l
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// prefixed returns a writer that adds prefix to each line it writes.
func (l *lines) prefixed(prefix string) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		for _, line := range strings.SplitAfter(string(p), "\n") {
			if line != "" {
				fmt.Fprint(l, prefix+line)
			}
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
