package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/codec"
)

// runCodec measures codec.Marshal and codec.Unmarshal of a []float64 of
// size bytes. Both are zero copy on little-endian machines, so each run
// repeats the operation enough times to be timed.
func runCodec(size int64, runs int, emit func(StoreResult) error) error {
	payload := randomBlock(int(size / 8))
	typ := reflect.TypeFor[[]float64]()
	id, data, err := codec.Marshal(payload)
	if err != nil {
		return fmt.Errorf("bench: store: codec: %w", err)
	}
	encode := func() error { _, _, err := codec.Marshal(payload); return err }
	decode := func() error {
		v, err := codec.Unmarshal(id, data, typ)
		if err == nil && len(v.([]float64)) != len(payload) {
			err = errors.New("decoded the wrong length")
		}
		return err
	}
	var ops []*timedOp
	for _, op := range []struct {
		name string
		f    func() error
	}{{"encode", encode}, {"decode", decode}} {
		n, err := calibrate(op.f)
		if err != nil {
			return fmt.Errorf("bench: store: codec %s: %w", op.name, err)
		}
		ops = append(ops, &timedOp{name: "codec " + op.name, n: n, do: func(int) error {
			for range n {
				if err := op.f(); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	samples, err := rounds(runs, ops)
	if err != nil {
		return err
	}
	for i, op := range []string{"encode", "decode"} {
		if err := emit(result("codec", op, size, samples[i], ops[i].n)); err != nil {
			return err
		}
	}
	return nil
}

// calibrate returns how many calls of f take about 20ms, at least 1.
func calibrate(f func() error) (int, error) {
	for n := 1; ; n *= 2 {
		took, err := timed(func() error {
			for range n {
				if err := f(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || took >= 0.02 || n >= 1<<24 {
			return n, err
		}
	}
}

// runSmall measures small checkpoints, a float64 each, on the file store
// without fsync: cfg.SmallOps new keys written, then read, per run, as the
// thunks of a graph do, with plain contexts and with a run's context (as
// the scheduler passes: the first Get of a key then records the read),
// next to raw files of the value's 8 bytes written the same way.
func runSmall(ctx context.Context, cfg StoreConfig, dir string, emit func(StoreResult) error) error {
	const value = 42.5
	raw := asBytes([]float64{value})
	n := cfg.SmallOps
	rawDir := filepath.Join(dir, "small-raw")
	rawPath := func(j int) string { return filepath.Join(rawDir, "block-"+strconv.Itoa(j)) }
	if err := os.MkdirAll(rawDir, 0o700); err != nil {
		return fmt.Errorf("bench: store: small: %w", err)
	}
	names := []string{"small/raw"}
	write := []func(j int) error{func(j int) error { return writeRaw(rawPath(j), raw, false) }}
	read := []func(j int) error{func(j int) error {
		b, err := os.ReadFile(rawPath(j))
		if err == nil && len(b) != len(raw) {
			err = fmt.Errorf("read %d bytes, wrote %d", len(b), len(raw))
		}
		return err
	}}
	for _, withRun := range []bool{false, true} {
		name := "file-nofsync"
		cctx := ctx
		if withRun {
			name += "+run"
			cctx = checkpoint.WithRun(ctx, "bench-run")
		}
		s, err := checkpoint.Open(ctx, storeURL("file-nofsync", filepath.Join(dir, "small-"+name), nil))
		if err != nil {
			return fmt.Errorf("bench: store: small: %w", err)
		}
		defer s.Close()
		key := func(j int) string { return "sum/block-" + strconv.Itoa(j) }
		names = append(names, "small/"+name)
		write = append(write, func(j int) error {
			_, err := s.Put(cctx, key(j), value, checkpoint.Meta{Func: "bench.sum"})
			return err
		})
		read = append(read, func(j int) error {
			v, _, err := s.Get(cctx, key(j), nil)
			if err == nil && v != value {
				err = fmt.Errorf("read %v, wrote %v", v, value)
			}
			return err
		})
	}
	ws, err := interleaved(cfg.Runs, n, write)
	if err != nil {
		return fmt.Errorf("bench: store: small write: %w", err)
	}
	rs, err := interleaved(cfg.Runs, n, read) // reads what the writes wrote
	if err != nil {
		return fmt.Errorf("bench: store: small read: %w", err)
	}
	both := make([][]float64, len(ws))
	for i := range ws {
		for r := range ws[i] {
			both[i] = append(both[i], ws[i][r]+rs[i][r])
		}
	}
	for _, op := range []struct {
		name    string
		samples [][]float64
	}{{"write", ws}, {"read", rs}, {"write+read", both}} {
		for i, name := range names {
			r := result(name, op.name, int64(len(raw)), op.samples[i], n)
			r.MBPerS, r.USPerOp = 0, r.MedianS*1e6
			if i > 0 {
				r.RatioToRaw, r.OverRawS = paired(op.samples[0], op.samples[i])
			}
			if err := emit(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// interleaved runs runs+1 rounds, the first an untimed warm-up, of n steps
// in which each of fs is called once in turn with the step's number
// (round*n + step), and returns each f's mean time per call in each timed
// round. Interleaving call by call gives each f the same moments of a file
// system whose cost per call drifts over seconds (file creation on a busy
// ext4 journal does).
func interleaved(runs, n int, fs []func(j int) error) ([][]float64, error) {
	samples := make([][]float64, len(fs))
	for round := range runs + 1 {
		debug.FreeOSMemory()
		sums := make([]time.Duration, len(fs))
		for step := range n {
			for i, f := range fs {
				start := time.Now()
				err := f(round*n + step)
				sums[i] += time.Since(start)
				if err != nil {
					return nil, err
				}
			}
		}
		if round > 0 {
			for i := range fs {
				samples[i] = append(samples[i], sums[i].Seconds()/float64(n))
			}
		}
	}
	return samples, nil
}
