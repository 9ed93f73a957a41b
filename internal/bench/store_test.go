package bench_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/internal/bench"
)

// TestRunStore runs the store workload small, on the file and memory
// stores, the codec and small checkpoints, and checks that every expected
// line comes back with sane figures and that no file is left behind.
func TestRunStore(t *testing.T) {
	dir := t.TempDir()
	const size = 64 << 10
	cfg := bench.StoreConfig{
		Sizes:    []int64{size},
		Runs:     1,
		Drivers:  []string{"file", "file-nofsync", "mem", "codec", "small"},
		Dir:      dir,
		SmallOps: 5,
	}
	got := map[string]bench.StoreResult{}
	err := bench.RunStore(context.Background(), cfg, func(r bench.StoreResult) error {
		got[r.Name+" "+r.Op] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, name := range []string{"raw-fsync", "raw", "file", "file-nofsync", "mem"} {
		want = append(want, name+" write", name+" read")
	}
	want = append(want, "codec encode", "codec decode")
	for _, name := range []string{"small/raw", "small/file-nofsync", "small/file-nofsync+run"} {
		want = append(want, name+" write", name+" read", name+" write+read")
	}
	for _, k := range want {
		r, ok := got[k]
		if !ok {
			t.Errorf("no %q line; got %v", k, keys(got))
			continue
		}
		if r.Runs != 1 || r.MedianS <= 0 || r.MinS <= 0 || r.MinS > r.MedianS {
			t.Errorf("%s: runs %d, median %g s, min %g s", k, r.Runs, r.MedianS, r.MinS)
		}
		small := strings.HasPrefix(k, "small/")
		switch {
		case small && (r.SizeBytes != 8 || r.USPerOp <= 0 || r.MBPerS != 0 || r.OpsPerRun != 5):
			t.Errorf("%s: size %d, %g µs/op, %g MB/s, %d ops a run", k, r.SizeBytes, r.USPerOp, r.MBPerS, r.OpsPerRun)
		case !small && (r.SizeBytes != size || r.MBPerS <= 0):
			t.Errorf("%s: size %d, %g MB/s", k, r.SizeBytes, r.MBPerS)
		}
		hasRatio := strings.HasPrefix(k, "file") || (small && !strings.HasPrefix(k, "small/raw"))
		if hasRatio != (r.RatioToRaw > 0) {
			t.Errorf("%s: ratio to raw %g", k, r.RatioToRaw)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d lines, want %d: %v", len(got), len(want), keys(got))
	}
	left, err := os.ReadDir(dir)
	if err != nil || len(left) != 0 {
		t.Errorf("left behind in %s: %v (%v)", dir, left, err)
	}
}

// TestRunStoreBadConfig checks that bad input is an error, not a panic.
func TestRunStoreBadConfig(t *testing.T) {
	for _, cfg := range []bench.StoreConfig{
		{Sizes: []int64{12}},
		{Sizes: []int64{0}},
		{Runs: -1},
		{Drivers: []string{"floppy"}},
	} {
		cfg.Dir = t.TempDir()
		err := bench.RunStore(context.Background(), cfg, func(bench.StoreResult) error { return nil })
		if err == nil {
			t.Errorf("RunStore(%+v) = nil error", cfg)
		}
	}
}

func keys(m map[string]bench.StoreResult) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// BenchmarkRunStoreFile runs the store workload on file:// (with and
// without fsync) and its raw baselines for 128 MiB blocks, for profiling:
//
//	go test -run XXX -bench RunStoreFile -benchtime 1x -cpuprofile cpu.out ./internal/bench
//	go tool pprof -top -focus checkpoint cpu.out
func BenchmarkRunStoreFile(b *testing.B) {
	cfg := bench.StoreConfig{
		Sizes:   []int64{128 << 20},
		Runs:    5,
		Drivers: []string{"file", "file-nofsync"},
		Dir:     b.TempDir(),
	}
	for b.Loop() {
		err := bench.RunStore(context.Background(), cfg, func(r bench.StoreResult) error {
			b.Logf("%-12s %-5s %8.0f MB/s  ratio %.2f", r.Name, r.Op, r.MBPerS, r.RatioToRaw)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
