package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDashCommand runs `cairn dash` as a user would: it prints the URL,
// runs the seed example twice under the dashboard, keeps serving, and
// stops cleanly on SIGINT.
func TestDashCommand(t *testing.T) {
	cmd := exec.Command(cairnBin, "dash", "--delay", "5ms", "--pause", "10ms", "--parallelism", "2")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	next := func() string {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("cairn dash ended early")
			}
			return l
		case <-time.After(60 * time.Second):
			t.Fatal("cairn dash printed nothing for a minute")
		}
		return ""
	}
	url, ok := strings.CutPrefix(next(), "dashboard: ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q, want the dashboard's URL", url)
	}
	if l := next(); !strings.Contains(l, "run buggy inner: failed, as in the seed") || !strings.Contains(l, "DomainError") {
		t.Errorf("run 1: %q", l)
	}
	if l := next(); !strings.Contains(l, "run fixed inner: z = ") || !strings.Contains(l, "64 restored, 64 pruned") {
		t.Errorf("run 2: %q", l)
	}
	if l := next(); !strings.Contains(l, "stays up") {
		t.Errorf("after the runs: %q", l)
	}
	resp, err := http.Get(url + "state.json?run=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var st struct {
		Runs []struct{ Status string }
	}
	if err := json.Unmarshal(body, &st); err != nil || len(st.Runs) != 2 || st.Runs[0].Status != "failed" || st.Runs[1].Status != "ok" {
		t.Errorf("state.json: %v %s", err, body)
	}
	cmd.Process.Signal(syscall.SIGINT)
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("cairn dash after SIGINT: %v, want a clean exit", err)
	}
}
