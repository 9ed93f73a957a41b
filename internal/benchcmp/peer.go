package benchcmp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// PeerError reports a peer script that failed: it exited with an error, or
// printed a line its workload could not read, or ended before it printed
// every row.
type PeerError struct {
	Script string   // the script's path
	Args   []string // its arguments
	Err    error    // what went wrong
	Stderr string   // the end of what it wrote to standard error
}

func (e *PeerError) Error() string {
	msg := fmt.Sprintf("bench compare: peer script %s %s: %v", e.Script, strings.Join(e.Args, " "), e.Err)
	if e.Stderr != "" {
		msg += "\n" + e.Stderr
	}
	return msg
}

func (e *PeerError) Unwrap() error { return e.Err }

// stderrTail keeps the last bytes written to it, for error messages.
type stderrTail struct{ b []byte }

const stderrKeep = 4 << 10

func (t *stderrTail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > stderrKeep {
		t.b = t.b[len(t.b)-stderrKeep:]
	}
	return len(p), nil
}

// runPeer makes one call of a peer script and returns the samples it
// printed. A call that runs past limit is stopped and reported with
// timedOut, along with the samples it printed before; a call whose Parse
// says done is stopped there.
func runPeer(ctx context.Context, python, dir string, call PeerCall, limit time.Duration) (samples []Sample, timedOut bool, err error) {
	script := filepath.Join(dir, call.Script)
	fail := func(err error, stderr string) error {
		return &PeerError{Script: script, Args: call.Args, Err: err, Stderr: strings.TrimSpace(stderr)}
	}
	limited, cancelLimit := context.WithTimeout(ctx, limit)
	defer cancelLimit()
	run, stop := context.WithCancel(limited)
	defer stop()

	cmd := exec.CommandContext(run, python, append([]string{script}, call.Args...)...)
	cmd.Dir = dir
	killGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	var tail stderrTail
	cmd.Stderr = &tail
	if call.TempDirEnv != "" {
		tmp, err := os.MkdirTemp("", "cairn-bench-peer-")
		if err != nil {
			return nil, false, fail(err, "")
		}
		defer os.RemoveAll(tmp)
		cmd.Env = append(os.Environ(), call.TempDirEnv+"="+tmp)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, false, fail(err, "")
	}
	if err := cmd.Start(); err != nil {
		return nil, false, fail(err, "")
	}
	done, parseErr := false, error(nil)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for !done && parseErr == nil && sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if !isRecord(line) {
			continue
		}
		var got []Sample
		got, done, parseErr = call.Parse(line)
		samples = append(samples, got...)
	}
	scanErr := sc.Err()
	if done || parseErr != nil {
		stop() // the rest of the script's output is not needed
	}
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return samples, false, ctx.Err()
	case parseErr != nil:
		return samples, false, fail(parseErr, string(tail.b))
	case done, waitErr == nil && scanErr == nil:
		return samples, false, nil
	case errors.Is(limited.Err(), context.DeadlineExceeded):
		return samples, true, nil
	case waitErr != nil:
		return samples, false, fail(waitErr, string(tail.b))
	}
	return samples, false, fail(scanErr, string(tail.b))
}

// isRecord reports whether a line is a JSON object other than the
// scripts' {"env": ...} line.
func isRecord(line []byte) bool {
	if len(line) == 0 || line[0] != '{' {
		return false
	}
	var probe struct {
		Env json.RawMessage `json:"env"`
	}
	return json.Unmarshal(line, &probe) == nil && probe.Env == nil
}
