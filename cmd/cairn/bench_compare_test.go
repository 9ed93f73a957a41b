package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/internal/benchcmp"
)

// stubPeers writes stand-ins for Dask's scripts into a new directory: shell
// scripts that print lines in the real scripts' format with fixed times,
// and a fake interpreter that answers the Dask probe and runs them with
// /bin/sh (CI has no Dask, and may have no Python). It returns the
// directory and the interpreter.
func stubPeers(t *testing.T) (dir, python string) {
	t.Helper()
	dir = t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	python = write("python3", `#!/bin/sh
if [ "$1" = -c ]; then
  echo '{"python": "3.stub", "dask": "stub", "distributed": "stub", "numpy": "stub"}'
  exit 0
fi
exec /bin/sh "$@"
`)
	env := `echo '{"env": {"python": "3.stub", "dask": "stub"}}'` + "\n"
	write("bench_threaded_fresh.py", env+`echo "{\"bench\": \"threaded-fresh\", \"shape\": \"$2\", \"N\": $1, \"scheduler\": \"$3\", \"compute_s\": 0.25}"
`)
	write("bench_delayed_chain_build.py", env+`echo "{\"bench\": \"delayed-chain-build\", \"N\": $1, \"build_s\": 0.5, \"compute_s\": 0.1}"
`)
	// Like the real script, this one goes on to other schedulers after the
	// line compared: the command must stop it there, not wait 30 s.
	write("bench_seed.py", env+`echo '{"bench": "seed", "variant": "numpy-serial-floor", "scheduler": "none", "median_s": 9.0, "samples_s": [9.0]}'
echo '{"bench": "seed", "variant": "delayed-chunk-sums", "scheduler": "threads", "median_s": 0.125, "samples_s": [0.125]}'
sleep 30
echo '{"bench": "seed", "variant": "delayed-chunk-sums", "scheduler": "sync", "median_s": 9.0, "samples_s": [9.0]}'
`)
	write("bench_fanin_raw.py", env+`echo "{\"bench\": \"fanin-raw\", \"N\": $1, \"tasks\": $(($1+1)), \"scheduler\": \"threads\", \"compute_median_s\": 9.0, \"samples_s\": [9.0]}"
echo "{\"bench\": \"fanin-raw\", \"N\": $1, \"tasks\": $(($1+1)), \"scheduler\": \"distributed-processes=True\", \"compute_median_s\": 16.0, \"samples_s\": [16.0]}"
`)
	// The real script writes its pickles into CKPT_DIR: it must be a fresh
	// directory.
	write("bench_seed_ckpt.py", env+`[ -d "$CKPT_DIR" ] && [ -z "$(ls -A "$CKPT_DIR")" ] || { echo "CKPT_DIR $CKPT_DIR: not a fresh directory" >&2; exit 1; }
touch "$CKPT_DIR/0.pkl"
for v in no-ckpt:0.5 ckpt-write:0.5 ckpt-write+fsync:0.75 restore-tasks:0.0625 restore-final:0.03125; do
  echo "{\"bench\": \"seed-ckpt\", \"variant\": \"${v%%:*}\", \"median_s\": 0.1, \"samples_s\": [${v#*:}]}"
done
`)
	return dir, python
}

// TestBenchCompareStubPeers runs `cairn bench compare --only …` on the
// smallest workloads against stub Dask scripts and checks the plumbing:
// one JSON row per figure with the stubs' times as Dask's medians and
// ratios of cairn's over them (a cluster row on two worker processes too),
// the table, and --out's JSON, table and charts.
func TestBenchCompareStubPeers(t *testing.T) {
	peers, python := stubPeers(t)
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"bench", "compare", "--runs", "2", "--peers", peers, "--python", python,
		"--only", "overhead fan-in 1k$|seed 1024|checkpoints 1024|2-workers fan-in"}
	start := time.Now()
	cmd := exec.Command(cairnBin, append(args, "--json", "--out", out)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("cairn %v: %v\n%s", args, err, stderr.String())
	}
	if took := time.Since(start); took > 25*time.Second {
		t.Errorf("took %s: bench_seed.py was not stopped after the line compared", took)
	}

	want := map[string]float64{ // Dask's median of each row, from the stubs
		"overhead fan-in 1k":                           0.25,
		"seed 1024²/128²":                              0.125,
		"checkpoints 1024²/128²: no checkpoints":       0.5,
		"checkpoints 1024²/128²: first run":            0.5,
		"checkpoints 1024²/128²: first run, fsync":     0.75,
		"checkpoints 1024²/128²: restore run":          0.0625,
		"checkpoints 1024²/128²: final-result restore": 0.03125,
		"overhead-2-workers fan-in 10k":                16.0, // on two worker processes of the cairn binary
	}
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	seen := 0
	for sc.Scan() {
		var r benchcmp.RowJSON
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		peer, ok := want[r.Workload]
		if !ok {
			t.Errorf("unexpected row %q", r.Workload)
			continue
		}
		seen++
		if r.PeerMedianS == nil || *r.PeerMedianS != peer || len(r.PeerSamplesS) != 2 || len(r.CairnSamplesS) != 2 {
			t.Errorf("row %q: Dask median %v from %d samples (cairn %d); want %v from 2 each", r.Workload, r.PeerMedianS, len(r.PeerSamplesS), len(r.CairnSamplesS), peer)
		}
		if r.CairnMedianS <= 0 || r.Ratio == nil || math.Abs(*r.Ratio-r.CairnMedianS/peer) > 1e-12 {
			t.Errorf("row %q: cairn median %v, ratio %v; want a positive median over %v", r.Workload, r.CairnMedianS, r.Ratio, peer)
		}
	}
	if seen != len(want) {
		t.Errorf("%d rows, want %d:\n%s", seen, len(want), stdout)
	}

	var rep struct {
		Rows    []benchcmp.RowJSON `json:"rows"`
		Skipped []benchcmp.Skipped `json:"skipped"`
	}
	raw, err := os.ReadFile(filepath.Join(out, "compare.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("compare.json: %v", err)
	}
	if len(rep.Rows) != len(want) || len(rep.Skipped) != 0 {
		t.Errorf("compare.json: %d rows and %d skipped, want %d and none", len(rep.Rows), len(rep.Skipped), len(want))
	}
	for _, name := range []string{"table.txt", "table.md", "scaling.png", "scaling.svg", "seed-phases.png", "seed-phases.svg", "ratios.png", "ratios.svg"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Errorf("--out: %s missing or empty (%v)", name, err)
		}
	}
	table, err := os.ReadFile(filepath.Join(out, "table.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"workload", "cairn median", "Dask median", "ratio", "cairn min–max", "Dask min–max",
		"seed 1024²/128²", "125 ms", "overhead-2-workers fan-in 10k"} {
		if !strings.Contains(string(table), s) {
			t.Errorf("table lacks %q:\n%s", s, table)
		}
	}
}

// TestBenchCompareMissingPeers checks the messages when Dask's scripts,
// Python or Dask are missing: each says what is missing and which flag or
// package fixes it, and nothing runs.
func TestBenchCompareMissingPeers(t *testing.T) {
	peers, python := stubPeers(t)
	noDask := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(noDask, []byte("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'dask'\" >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		dir  string // the working directory
		args []string
		want []string
	}{
		{"no peers found", t.TempDir(), nil, []string{"Dask peer scripts not found", "no shared/peers/dask in", "pass --peers DIR"}},
		{"peers not a directory", "", []string{"--peers", filepath.Join(peers, "nope"), "--python", python}, []string{"nope is not a directory", "--peers DIR"}},
		{"script missing", "", []string{"--peers", t.TempDir(), "--python", python}, []string{"has no bench_threaded_fresh.py", "--peers DIR"}},
		{"no python", "", []string{"--peers", peers, "--python", "/nonexistent/python3"}, []string{"/nonexistent/python3 does not exist", "--python PATH", "apt-get install -y python3-dask python3-distributed"}},
		{"no dask", "", []string{"--peers", peers, "--python", noDask}, []string{"Dask is not installed", "No module named 'dask'", "apt-get install -y python3-dask python3-distributed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(cairnBin, append([]string{"bench", "compare", "--quick"}, c.args...)...)
			cmd.Dir = c.dir
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("exit 0; output:\n%s", out)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(string(out), "panic") || strings.Contains(string(out), "[1/") {
				t.Errorf("a workload ran or it panicked:\n%s", out)
			}
		})
	}
}
