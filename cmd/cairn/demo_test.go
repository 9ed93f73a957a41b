package main

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
	"syscall"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/filestore"
	"github.com/cairnlabs/cairn/internal/demo"
)

var cairnBin string

// TestMain builds the cairn command once, so that tests run it as separate
// processes, as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cairn-bin-")
	if err != nil {
		panic(err)
	}
	cairnBin = filepath.Join(dir, "cairn")
	if out, err := exec.Command("go", "build", "-o", cairnBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building cairn: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// demoRun runs `cairn demo` with args and decodes its JSON lines.
func demoRun(t *testing.T, args ...string) []demo.Result {
	t.Helper()
	cmd := exec.Command(cairnBin, append([]string{"demo", "--json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cairn demo %v: %v\n%s", args, err, stderr.String())
	}
	return decode(t, out)
}

func decode(t *testing.T, out []byte) []demo.Result {
	t.Helper()
	var rs []demo.Result
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r demo.Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		rs = append(rs, r)
	}
	return rs
}

// count reports how many blocks' sums the demo's store in dir holds, and
// whether it holds the final result; a store not yet there holds none.
func count(t *testing.T, dir string) (blocks int, final bool) {
	t.Helper()
	ctx := context.Background()
	u, err := filestore.URL(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := checkpoint.OpenExisting(ctx, u)
	if errors.Is(err, checkpoint.ErrNoStore) {
		return 0, false
	}
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	blocks, final, err = demo.Count(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	return blocks, final
}

// TestSeedStoryAcrossProcesses runs the seed's three runs as three
// processes against one checkpoint directory (the seed's per-block files),
// and against one store (automatic keys).
func TestSeedStoryAcrossProcesses(t *testing.T) {
	const n = 64 // blocks at the default 1024² in 128²
	for _, c := range []struct{ mode, exec string }{{"files", "local"}, {"store", "local"}, {"files", "workers"}, {"store", "workers"}} {
		mode := c.mode
		t.Run(c.mode+"/"+c.exec, func(t *testing.T) {
			dir := t.TempDir()
			where := []string{"--dir", dir}
			if mode == "store" {
				where = []string{"--store", "file://" + dir}
			}
			if c.exec == "workers" {
				// Two worker processes of the cairn binary; with --store,
				// they write and read the checkpoints themselves.
				where = append(where, "--workers", "2")
			}
			run := func(phase string) demo.Result {
				rs := demoRun(t, append(where, "--phase", phase)...)
				if len(rs) != 1 {
					t.Fatalf("phase %s printed %d results", phase, len(rs))
				}
				if want := map[string]int{"local": 0, "workers": 2}[c.exec]; rs[0].Workers != want {
					t.Fatalf("phase %s ran on %d workers, want %d", phase, rs[0].Workers, want)
				}
				return rs[0]
			}
			r1 := run("1")
			if r1.Computed != 2*n || r1.Restored != 0 || r1.Failed != 1 || r1.Result != nil ||
				!strings.Contains(r1.Error, "DomainError") || !strings.Contains(r1.Error, "demo.inner") {
				t.Fatalf("run 1: %+v", r1)
			}
			if mode == "files" {
				if blocks, _ := count(t, dir); blocks != n {
					t.Fatalf("run 1 left %d block checkpoints, want %d", blocks, n)
				}
			}
			if r1.Checkpointed < n {
				t.Fatalf("run 1 checkpointed %d thunks, want at least the %d sums", r1.Checkpointed, n)
			}
			r2 := run("2")
			if r2.Computed != 1 || r2.Restored != n || r2.Pruned != n || r2.Skipped != 0 || r2.Result == nil || r2.Error != "" {
				t.Fatalf("run 2: %+v (want 1 computed, %d restored, %d pruned, none skipped)", r2, n, n)
			}
			if mode == "files" && (!r2.FinalCheckpointed || r2.Checkpointed != 1) {
				t.Fatalf("run 2: %+v (want the final result checkpointed, and counted)", r2)
			}
			r3 := run("3")
			if r3.Computed != 0 || r3.Restored != 1 || r3.Result == nil || *r3.Result != *r2.Result {
				t.Fatalf("run 3: %+v", r3)
			}
			if mode == "files" && (!r3.FinalRestored || r3.Checkpointed != 0) {
				t.Fatalf("run 3: %+v (want the final result restored, nothing checkpointed)", r3)
			}
		})
	}
}

// TestCrashResume kills a run with SIGKILL once some checkpoints exist and
// runs it again: the result is identical to an uninterrupted run, and only
// the thunks without a checkpoint are recomputed. CAIRN_CHAOS=1 tries more
// kill points on a larger array.
func TestCrashResume(t *testing.T) {
	size, block := "4096", "256" // 256 blocks
	points := []float64{0.4}
	if os.Getenv("CAIRN_CHAOS") != "" {
		size, block = "8192", "512"
		points = []float64{0.05, 0.25, 0.5, 0.75, 0.95}
	}
	const n = 256
	ref := demoRun(t, "--dir", t.TempDir(), "--phase", "2", "--size", size, "--block", block)[0]
	if ref.Result == nil || ref.Computed != 2*n+1 {
		t.Fatalf("uninterrupted run: %+v", ref)
	}
	interrupted := 0
	for _, p := range points {
		t.Run(fmt.Sprintf("kill-at-%.0f%%", 100*p), func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"demo", "--json", "--dir", dir, "--phase", "2", "--size", size, "--block", block, "--parallelism", "2"}
			cmd := exec.Command(cairnBin, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			target := max(1, int(p*n))
			deadline := time.Now().Add(60 * time.Second)
			killed := false
		poll:
			for time.Now().Before(deadline) {
				select {
				case <-done:
					break poll // finished before the kill point
				default:
				}
				if blocks, _ := count(t, dir); blocks >= target {
					cmd.Process.Signal(syscall.SIGKILL)
					<-done
					killed = true
					break
				}
				time.Sleep(200 * time.Microsecond)
			}
			if !killed {
				t.Logf("the run finished before %d checkpoints could be counted; nothing to resume", target)
				return
			}
			interrupted++
			have, final := count(t, dir)
			if final {
				t.Fatal("a killed run left a final checkpoint")
			}
			r := demoRun(t, "--dir", dir, "--phase", "2", "--size", size, "--block", block)[0]
			if r.Result == nil || *r.Result != *ref.Result {
				t.Fatalf("resumed result %v, uninterrupted %v", r.Result, *ref.Result)
			}
			if r.Restored != have || r.Computed != 2*(n-have)+1 {
				t.Fatalf("killed with %d of %d checkpoints: resumed run restored %d and computed %d, want %d and %d",
					have, n, r.Restored, r.Computed, have, 2*(n-have)+1)
			}
			t.Logf("killed at %d/%d checkpoints; resume restored %d, computed %d", have, n, r.Restored, r.Computed)
		})
	}
	if interrupted == 0 {
		t.Fatal("no run was interrupted: the workload is too quick for the kill points")
	}
}
