package benchcmp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindPeers checks that the peer scripts are found in shared/peers/dask
// beside the checkout (../shared from the repository root) or further up,
// and that when they are not, the error names the --peers flag.
func TestFindPeers(t *testing.T) {
	root := t.TempDir()
	peers := filepath.Join(root, "shared", "peers", "dask")
	start := filepath.Join(root, "wt", "branch", "cmd", "cairn") // a worktree, one level deeper than main
	for _, d := range []string{peers, start} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	got, err := FindPeers(start)
	if err != nil || got != peers {
		t.Errorf("FindPeers(%s) = %q, %v; want %q", start, got, err, peers)
	}

	_, err = FindPeers(t.TempDir())
	if !errors.Is(err, ErrNoPeers) || !strings.Contains(err.Error(), "--peers DIR") {
		t.Errorf("FindPeers with no peers above: %v; want ErrNoPeers naming --peers", err)
	}
}

// TestCheckPeers checks that a missing directory or script is reported by
// name, with the flag that fixes it, before anything runs.
func TestCheckPeers(t *testing.T) {
	dir := t.TempDir()
	ws := Select(Workloads(), true, nil)
	err := CheckPeers(filepath.Join(dir, "nope"), ws)
	if !errors.Is(err, ErrNoPeers) || !strings.Contains(err.Error(), "nope is not a directory") || !strings.Contains(err.Error(), "--peers") {
		t.Errorf("missing directory: %v", err)
	}
	err = CheckPeers(dir, ws)
	if !errors.Is(err, ErrNoPeers) || !strings.Contains(err.Error(), "has no bench_threaded_fresh.py") || !strings.Contains(err.Error(), "--peers") {
		t.Errorf("empty directory: %v", err)
	}
}

// TestProbePython checks the messages for a Python that is not there and
// for one without Dask: each says what is wrong and how to fix it.
func TestProbePython(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "python3")
	_, err := ProbePython(ctx, missing)
	if !errors.Is(err, ErrNoPython) || !strings.Contains(err.Error(), missing+" does not exist") || !strings.Contains(err.Error(), "--python") {
		t.Errorf("missing python: %v", err)
	}

	// A Python without Dask fails its import as Debian's python3 does.
	noDask := writeScript(t, dir, "python3-no-dask", `#!/bin/sh
echo 'Traceback (most recent call last):' >&2
echo '  File "<string>", line 2, in <module>' >&2
echo "ModuleNotFoundError: No module named 'dask'" >&2
exit 1
`)
	_, err = ProbePython(ctx, noDask)
	for _, want := range []string{"Dask is not installed", "No module named 'dask'", "apt-get install -y python3-dask python3-distributed", "--python"} {
		if !errors.Is(err, ErrNoDask) || !strings.Contains(err.Error(), want) {
			t.Errorf("python without Dask: %v; want ErrNoDask saying %q", err, want)
		}
	}

	env, err := ProbePython(ctx, stubPython(t, dir))
	if err != nil || env.Dask != "stub" {
		t.Errorf("stub python: %+v, %v", env, err)
	}
}
