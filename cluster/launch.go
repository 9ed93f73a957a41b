package cluster

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// launcher starts worker processes of this binary on this machine and
// watches them.
type launcher struct {
	e      *Executor
	mu     sync.Mutex
	procs  []*proc
	exited chan struct{} // closed and replaced when one exits
}

// proc is one started worker.
type proc struct {
	id    string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{}
	err   error
	tail  *tailWriter
}

func newLauncher(e *Executor) *launcher { return &launcher{e: e, exited: make(chan struct{})} }

// start starts n workers.
func (l *launcher) start(n int) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cluster: finding this program's binary to start workers: %w", err)
	}
	for i := 1; i <= n; i++ {
		if err := l.startOne(exe, fmt.Sprintf("w%d-%s", i, l.e.id[1:7])); err != nil {
			return err
		}
	}
	return nil
}

// workerEnv is the environment of a started worker: this process's,
// without any worker settings, plus the worker's.
func (l *launcher) workerEnv(id string) []string {
	cfg := l.e.cfg
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CAIRN_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		EnvWorker+"=1",
		EnvNATS+"="+cfg.NATS,
		EnvName+"="+cfg.Name,
		EnvID+"="+id,
		EnvSlots+"="+strconv.Itoa(cfg.SlotsPerWorker),
		EnvMemory+"="+strconv.FormatInt(cfg.WorkerMemory, 10),
		EnvDir+"="+filepath.Join(cfg.Dir, id),
		envParent+"=1",
		envHeartbeat+"="+cfg.Heartbeat.String(),
		envTimeout+"="+cfg.WorkerTimeout.String(),
	)
	return append(env, cfg.Env...)
}

func (l *launcher) startOne(exe, id string) error {
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = l.workerEnv(id)
	// If this process dies, even by SIGKILL, the worker's standard input
	// reaches EOF and it leaves. Its own process group keeps a terminal's
	// Ctrl-C from killing it mid-task: the driver decides.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("cluster: starting worker %s: %w", id, err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out io.Writer = os.Stderr
	if l.e.cfg.Stderr != nil {
		out = l.e.cfg.Stderr
	}
	tail := &tailWriter{prefix: "[" + id + "] ", out: out}
	cmd.Stdout, cmd.Stderr = tail, tail
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cluster: starting worker %s (%s): %w", id, exe, err)
	}
	p := &proc{id: id, cmd: cmd, stdin: stdin, done: make(chan struct{}), tail: tail}
	l.mu.Lock()
	l.procs = append(l.procs, p)
	l.mu.Unlock()
	go func() {
		p.err = cmd.Wait()
		tail.Flush()
		close(p.done)
		why := "exited"
		if p.err != nil {
			why = "exited: " + p.err.Error()
		}
		l.e.depart(id, why)
		l.mu.Lock()
		close(l.exited)
		l.exited = make(chan struct{})
		l.mu.Unlock()
	}()
	return nil
}

// exitedChan returns the channel closed when a started worker next exits.
func (l *launcher) exitedChan() chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.exited
}

// failed returns an error for the first started worker that exited
// before joining, with the last lines it wrote.
func (l *launcher) failed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.procs {
		select {
		case <-p.done:
			l.e.mu.Lock()
			_, joined := l.e.workers[p.id]
			l.e.mu.Unlock()
			if !joined {
				return fmt.Errorf("cluster: worker %s exited before joining (%v); it said:\n%s\n(does main call cluster.Main() first? in tests, TestMain)", p.id, p.err, p.tail.Last())
			}
		default:
		}
	}
	return nil
}

// Procs reports the started workers' process IDs, by worker.
func (l *launcher) pids() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := map[string]int{}
	for _, p := range l.procs {
		select {
		case <-p.done:
		default:
			m[p.id] = p.cmd.Process.Pid
		}
	}
	return m
}

// stop closes the workers' standard input (they leave), and kills those
// still running after grace.
func (l *launcher) stop(grace time.Duration) {
	l.mu.Lock()
	procs := append([]*proc(nil), l.procs...)
	l.mu.Unlock()
	for _, p := range procs {
		_ = p.stdin.Close()
	}
	deadline := time.After(grace)
	for _, p := range procs {
		select {
		case <-p.done:
		case <-deadline:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
}

// tailWriter writes a worker's output line by line with a prefix, and
// keeps the last lines.
type tailWriter struct {
	prefix string
	out    io.Writer
	mu     sync.Mutex
	buf    bytes.Buffer
	last   []string
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	for {
		line, err := t.buf.ReadString('\n')
		if err != nil {
			t.buf.WriteString(line) // an incomplete line: keep it
			break
		}
		t.emit(strings.TrimRight(line, "\n"))
	}
	return len(p), nil
}

func (t *tailWriter) emit(line string) {
	fmt.Fprintln(t.out, t.prefix+line)
	t.last = append(t.last, line)
	if len(t.last) > 20 {
		t.last = t.last[1:]
	}
}

// Flush writes an incomplete last line.
func (t *tailWriter) Flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buf.Len() > 0 {
		t.emit(t.buf.String())
		t.buf.Reset()
	}
}

// Last returns the last lines written.
func (t *tailWriter) Last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.last, "\n")
}

var _ = bufio.ScanLines
