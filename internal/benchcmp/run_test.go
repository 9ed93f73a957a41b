package benchcmp

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// logWorkload is a workload of one row whose cairn side appends "cairn" to
// a log file and takes 0.1 s, and whose peer side is script, which gets
// the log's path as its argument; its peer lines are {"t": seconds}.
func logWorkload(log, script string) Workload {
	return Workload{
		Name: "w",
		Rows: []RowSpec{{Name: "w"}},
		Cairn: func(context.Context) ([]Sample, error) {
			f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			_, err = f.WriteString("cairn\n")
			return []Sample{{Row: "w", Seconds: 0.1}}, err
		},
		Peer: PeerCall{
			Script: script,
			Args:   []string{log},
			Parse: func(line []byte) ([]Sample, bool, error) {
				var l struct{ T float64 }
				err := json.Unmarshal(line, &l)
				return []Sample{{Row: "w", Seconds: l.T}}, false, err
			},
		},
	}
}

func readLog(t *testing.T, log string) string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// TestRunInterleaves checks the order of the calls — one cairn warm-up,
// then cairn and the peer in turn — and the row's figures: medians, ratio
// and the peer's samples as printed (its {"env": ...} line and non-JSON
// lines ignored).
func TestRunInterleaves(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	writeScript(t, dir, "peer.py", `echo peer >> "$1"
echo 'a warning that is not JSON'
echo '{"env": {"python": "3"}}'
n=$(grep -c peer "$1")
echo "{\"t\": 0.$((n + 1))}"
`)
	rep, err := Run(context.Background(), Config{Python: stubPython(t, dir), Peers: dir, Runs: 3}, []Workload{logWorkload(log, "peer.py")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readLog(t, log), "cairn cairn peer cairn peer cairn peer"; got != want {
		t.Errorf("calls in order: %s, want %s", got, want)
	}
	if len(rep.Rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rep.Rows))
	}
	r := rep.Rows[0]
	if len(r.Cairn) != 3 || !slices.Equal(r.Peer, []float64{0.2, 0.3, 0.4}) {
		t.Errorf("samples: cairn %v, peer %v; want 3 and [0.2 0.3 0.4]", r.Cairn, r.Peer)
	}
	if ratio, ok := r.Ratio(); !ok || math.Abs(ratio-0.1/0.3) > 1e-12 {
		t.Errorf("ratio %v (%v), want %v", ratio, ok, 0.1/0.3)
	}
	if rep.Peer.Dask != "stub" {
		t.Errorf("peer env %+v, want the probe's", rep.Peer)
	}
}

// TestRunPeerTimeout checks that a peer call past the limit is stopped,
// with the child processes it started, that its row is marked as not
// finished (no peer median, no ratio, a note naming the limit), and that
// the workload's later peer calls are skipped.
func TestRunPeerTimeout(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	// sleep is a child of the shell; if only the shell were killed, it
	// would hold the output pipe open for 30 s.
	writeScript(t, dir, "slow.py", `echo peer >> "$1"
sleep 30
echo '{"t": 1}'
`)
	start := time.Now()
	rep, err := Run(context.Background(), Config{Python: stubPython(t, dir), Peers: dir, Runs: 3, PeerLimit: 300 * time.Millisecond},
		[]Workload{logWorkload(log, "slow.py")})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("Run took %s with a 300 ms peer limit: the script's child was not stopped", took)
	}
	if got, want := readLog(t, log), "cairn cairn peer cairn cairn"; got != want {
		t.Errorf("calls in order: %s, want %s", got, want)
	}
	r := rep.Rows[0]
	if !r.PeerDNF || len(r.Cairn) != 3 {
		t.Fatalf("row %+v: want PeerDNF and 3 cairn samples", r)
	}
	if _, ok := r.Ratio(); ok {
		t.Error("a row whose peer did not finish has a ratio")
	}
	if got, want := r.Note(), "did not finish within 300 ms"; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
	j := r.JSON()
	if j.PeerMedianS != nil || j.Ratio != nil || !j.PeerDNF || j.PeerLimitS != 0.3 {
		t.Errorf("JSON %+v: want null peer median and ratio, peer_dnf, peer_limit_s 0.3", j)
	}
}

// TestRunPeerFails checks that a script that fails ends the run with a
// *PeerError carrying the end of its standard error, and that one that
// prints no line for its row says which row.
func TestRunPeerFails(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "fails.py", `echo 'Traceback: ValueError: boom' >&2; exit 3`)
	writeScript(t, dir, "silent.py", `echo '{"env": {}}'`)
	python := stubPython(t, dir)
	_, err := Run(context.Background(), Config{Python: python, Peers: dir, Runs: 1}, []Workload{logWorkload(filepath.Join(dir, "log"), "fails.py")})
	var pe *PeerError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "ValueError: boom") || !strings.Contains(err.Error(), "fails.py") {
		t.Errorf("failing script: %v; want a *PeerError naming fails.py with its stderr", err)
	}
	_, err = Run(context.Background(), Config{Python: python, Peers: dir, Runs: 1}, []Workload{logWorkload(filepath.Join(dir, "log"), "silent.py")})
	if !errors.Is(err, errMissingRow) || !strings.Contains(err.Error(), `"w"`) || !strings.Contains(err.Error(), "silent.py") {
		t.Errorf("silent script: %v; want no sample for row \"w\" from silent.py", err)
	}
}

// TestRunCancelled checks that Run returns ctx.Err() when ctx ends during
// a peer call, without waiting for the call.
func TestRunCancelled(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "slow.py", "sleep 30\n")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Run(ctx, Config{Python: stubPython(t, dir), Peers: dir, Runs: 1}, []Workload{logWorkload(filepath.Join(dir, "log"), "slow.py")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run after ctx ended: %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("Run took %s after ctx ended", took)
	}
}

// TestRunListsUnavailable checks that an unavailable workload is not run
// but listed, and that the table says so.
func TestRunListsUnavailable(t *testing.T) {
	dir := t.TempDir()
	w := Workload{Name: "overhead-2-workers", Unavailable: "cluster rows: not available in this build (they need the cluster executor)",
		Cairn: func(context.Context) ([]Sample, error) { t.Error("an unavailable workload ran"); return nil, nil }}
	rep, err := Run(context.Background(), Config{Python: stubPython(t, dir), Peers: dir}, []Workload{w})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "cluster rows: not available in this build (they need the cluster executor) — overhead-2-workers") {
		t.Errorf("table does not list the unavailable workload:\n%s", b.String())
	}
}
