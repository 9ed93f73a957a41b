package benchcmp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

var (
	// ErrNoPeers is matched (with errors.Is) by the error for a peers
	// directory that is not there or lacks a script a workload needs.
	ErrNoPeers = errors.New("bench compare: Dask peer scripts not found")
	// ErrNoPython is matched (with errors.Is) by the error for a Python
	// interpreter that cannot be run.
	ErrNoPython = errors.New("bench compare: Python not found")
	// ErrNoDask is matched (with errors.Is) by the error for a Python that
	// runs but cannot import Dask, distributed or NumPy.
	ErrNoDask = errors.New("bench compare: Dask is not installed")
)

// PeersRel is where the Dask scripts are found by default: in this path
// under the checkout's parent directory (../shared/peers/dask from the
// repository root) or under any other directory above the start.
const PeersRel = "shared/peers/dask"

// installHint says how to install what the peer scripts need.
const installHint = "apt-get update && apt-get install -y python3-dask python3-distributed"

// FindPeers returns the first directory PeersRel found in start or a
// directory above it. The error, matching ErrNoPeers, names the --peers
// flag.
func FindPeers(start string) (string, error) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("%w: %v; pass --peers DIR, the directory of bench_seed.py and the other Dask scripts", ErrNoPeers, err)
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, PeersRel)
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, nil
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	return "", fmt.Errorf("%w: no %s in %s or any directory above it; pass --peers DIR, the directory of bench_seed.py and the other Dask scripts", ErrNoPeers, PeersRel, abs)
}

// CheckPeers checks that dir holds the script of every workload that will
// run. The error, matching ErrNoPeers, names the first one missing and the
// --peers flag.
func CheckPeers(dir string, ws []Workload) error {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("%w: %s is not a directory; pass --peers DIR, the directory of bench_seed.py and the other Dask scripts", ErrNoPeers, dir)
	}
	for _, w := range ws {
		if w.Unavailable != "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, w.Peer.Script)); err != nil {
			return fmt.Errorf("%w: %s has no %s (for %s); pass --peers DIR, the directory of the Dask scripts", ErrNoPeers, dir, w.Peer.Script, w.Name)
		}
	}
	return nil
}

// PeerEnv is the peer side's software, as the probe found it.
type PeerEnv struct {
	Python      string `json:"python"`
	Dask        string `json:"dask"`
	Distributed string `json:"distributed"`
	NumPy       string `json:"numpy"`
}

// probe imports what the peer scripts need and prints their versions.
const probe = `import json, platform
import dask, dask.array, distributed, numpy
print(json.dumps({"python": platform.python_version(), "dask": dask.__version__,
                  "distributed": distributed.__version__, "numpy": numpy.__version__}))`

// ProbePython runs python and checks that it imports Dask, distributed and
// NumPy, and returns their versions. Its errors match ErrNoPython (the
// interpreter cannot be run) or ErrNoDask (an import failed) and say how
// to install them.
func ProbePython(ctx context.Context, python string) (PeerEnv, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, python, "-c", probe)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return PeerEnv{}, ctx.Err()
	}
	var exit *exec.ExitError
	switch {
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist):
		return PeerEnv{}, fmt.Errorf("%w: %s does not exist; install Debian's Python and Dask (%s) or pass --python PATH", ErrNoPython, python, installHint)
	case errors.As(err, &exit):
		why := lastLine(stderr.String())
		if strings.Contains(why, "ModuleNotFoundError") || strings.Contains(why, "ImportError") {
			return PeerEnv{}, fmt.Errorf("%w for %s (%s): %s, or pass --python PATH of a Python that has them", ErrNoDask, python, why, installHint)
		}
		return PeerEnv{}, fmt.Errorf("%w: %s -c 'import dask' failed (%v: %s); pass --python PATH of a Python 3 with Dask (%s)", ErrNoPython, python, err, why, installHint)
	case err != nil:
		return PeerEnv{}, fmt.Errorf("%w: %s: %v; pass --python PATH", ErrNoPython, python, err)
	}
	var env PeerEnv
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &env); err != nil {
		return PeerEnv{}, fmt.Errorf("%w: %s printed %q for its versions, not JSON; pass --python PATH of a Python 3", ErrNoPython, python, stdout.String())
	}
	return env, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
