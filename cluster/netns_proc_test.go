package cluster_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// netnsProc is a process started in a namespace, with its standard input a
// pipe from this process: EOF tells it that this test is gone.
type netnsProc struct {
	ns    string
	pid   int
	cmd   *exec.Cmd
	stdin *os.File
	out   bytes.Buffer // standard output and error; read it after done
	done  chan struct{}
	err   error
}

// netnsStart starts exe with args in namespace ns, and stops it when t
// ends.
func netnsStart(ctx context.Context, t *testing.T, nw *testNet, ns, exe string, env []string, args ...string) *netnsProc {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &netnsProc{ns: ns, cmd: nw.command(ctx, ns, exe, args...), stdin: w, done: make(chan struct{})}
	p.cmd.Env, p.cmd.Stdin = env, r
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	p.cmd.WaitDelay = 5 * time.Second
	err = p.cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		t.Fatalf("starting %s in %s: %v", exe, ns, err)
	}
	p.pid = p.cmd.Process.Pid
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(5 * time.Second) })
	return p
}

// exited reports whether the process has exited.
func (p *netnsProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// netnsAllDone is closed once every process in ps has exited.
func netnsAllDone(ps []*netnsProc) <-chan struct{} {
	all := make(chan struct{})
	go func() {
		for _, p := range ps {
			<-p.done
		}
		close(all)
	}()
	return all
}

// wait waits for the process to exit, killing it after timeout.
func (p *netnsProc) wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("still running after %v: killed", timeout)
	}
}

// stop closes the process's standard input, which makes a worker leave
// and the driver shut NATS down, and kills it if it has not exited after
// timeout.
func (p *netnsProc) stop(timeout time.Duration) {
	_ = p.stdin.Close()
	_ = p.wait(timeout)
}

// netnsEnviron is this process's environment without cairn's settings.
func netnsEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CAIRN_") {
			env = append(env, kv)
		}
	}
	return env
}

// netnsOutputs is the output of the driver and the workers, for a failure.
func netnsOutputs(driver *netnsProc, workers [2]*netnsProc) string {
	var b strings.Builder
	for _, p := range append([]*netnsProc{driver}, workers[:]...) {
		fmt.Fprintf(&b, "--- pid %d in %s (exit: %v):\n%s\n", p.pid, p.ns, p.err, p.out.Bytes())
	}
	return b.String()
}
