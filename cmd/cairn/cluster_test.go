package main

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServerWorkersDemo is going to many machines, on one: `cairn server`
// runs NATS, two `cairn worker --nats URL` processes join it, and `cairn
// demo --nats URL` runs the seed's story on them, the workers writing the
// checkpoints.
func TestServerWorkersDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts a server and worker processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	server := exec.CommandContext(ctx, cairnBin, "server", "--port", "0")
	stdout, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Process.Kill(); server.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("cairn server printed no URL: %v", err)
	}
	url := regexp.MustCompile(`nats://[0-9.]+:[0-9]+`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}
	go io.Copy(io.Discard, stdout)
	var workers []*exec.Cmd
	for i := 0; i < 2; i++ {
		w := exec.CommandContext(ctx, cairnBin, "worker", "--nats", url, "--slots", "1")
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		workers = append(workers, w)
	}
	dir := t.TempDir()
	rs := demoRun(t, "--nats", url, "--min-workers", "2", "--store", "file://"+dir)
	if len(rs) != 3 {
		t.Fatalf("%d results", len(rs))
	}
	if rs[0].Workers != 2 || rs[0].Failed != 1 || !strings.Contains(rs[0].Error, "on worker") {
		t.Fatalf("run 1: %+v", rs[0])
	}
	if rs[1].Restored != 64 || rs[1].Computed != 1 || rs[2].Restored != 1 || rs[2].Computed != 0 || rs[2].Result == nil {
		t.Fatalf("runs 2 and 3: %+v %+v", rs[1], rs[2])
	}
	// The driver is gone: the workers leave on their own.
	for _, w := range workers {
		done := make(chan error, 1)
		go func() { done <- w.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("worker exited with %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("a worker did not leave after its driver finished")
		}
	}
}
