package benchcmp

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// feed gives the lines of a file of real Dask output (testdata/dask, from
// the scripts on a 2-core machine) to parse as runPeer does, and returns
// the samples and the 1-based number of the line after which parse said
// done (0: never).
func feed(t *testing.T, file string, parse func([]byte) ([]Sample, bool, error)) ([]Sample, int) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "dask", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var all []Sample
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if !isRecord(sc.Bytes()) {
			continue
		}
		ss, done, err := parse(sc.Bytes())
		if err != nil {
			t.Fatalf("%s line %d: %v", file, n, err)
		}
		all = append(all, ss...)
		if done {
			return all, n
		}
	}
	return all, 0
}

func workload(t *testing.T, name string) Workload {
	t.Helper()
	i := slices.IndexFunc(Workloads(), func(w Workload) bool { return w.Name == name })
	if i < 0 {
		t.Fatalf("no workload %q", name)
	}
	return Workloads()[i]
}

// TestParseDaskLines checks that each workload's parser takes the line it
// compares from its script's real output — the one variant and scheduler
// it names, the unrounded sample where there is one — and stops the
// script there.
func TestParseDaskLines(t *testing.T) {
	for _, c := range []struct {
		workload, file string
		want           []Sample
		doneAt         int
	}{
		{"overhead fan-in 1k", "fresh.jsonl", []Sample{{"overhead fan-in 1k", 0.1774}}, 1},
		{"build chain 1k", "build.jsonl", []Sample{{"build chain 1k", 0.287}}, 2},
		// The serial NumPy line comes first; the threads line is taken.
		{"seed 1024²/128²", "seed.jsonl", []Sample{{"seed 1024²/128²", 0.194183}}, 3},
		{"checkpoints 1024²/128²", "seed_ckpt.jsonl", []Sample{
			{"checkpoints 1024²/128²: no checkpoints", 0.176535},
			{"checkpoints 1024²/128²: first run", 0.057631},
			{"checkpoints 1024²/128²: first run, fsync", 0.110106},
			{"checkpoints 1024²/128²: restore run", 0.028115},
			{"checkpoints 1024²/128²: final-result restore", 0.00075}, // printed rounded as 0.0008
		}, 6},
		{"overhead-2-workers fan-in 10k", "fanin_raw.jsonl", []Sample{{"overhead-2-workers fan-in 10k", 2.785289}}, 5},
		{"overhead-2-workers chain 10k", "distributed.jsonl", []Sample{{"overhead-2-workers chain 10k", 8.608361}}, 4},
		{"seed-2-workers 16384²/1024²", "seed.jsonl", []Sample{{"seed-2-workers 16384²/1024²", 1.484942}}, 9},
	} {
		t.Run(c.workload, func(t *testing.T) {
			w := workload(t, c.workload)
			got, doneAt := feed(t, c.file, w.Peer.Parse)
			if !slices.Equal(got, c.want) || doneAt != c.doneAt {
				t.Errorf("%s: samples %v, done after line %d; want %v, done after line %d", c.file, got, doneAt, c.want, c.doneAt)
			}
		})
	}
}

// TestParseRejectsNonPositive checks that a line giving a row no positive
// time is an error, not a zero sample that would make a ratio infinite.
func TestParseRejectsNonPositive(t *testing.T) {
	w := workload(t, "overhead chain 1k")
	_, _, err := w.Peer.Parse([]byte(`{"bench": "threaded-fresh", "shape": "chain", "N": 1000, "compute_s": 0}`))
	if err == nil {
		t.Error("a line with compute_s 0 was accepted")
	}
}
