package cluster_test

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/codec"
)

// slowDecode is a value whose decoding, in a worker started with
// envSlowDecode set to a directory, leaves a file named for the process
// there and takes a while: the test can kill a worker as it reads the
// value back from a checkpoint.
type slowDecode struct{ X []float64 }

const envSlowDecode = "CT_SLOW_DECODE"

func init() {
	codec.Register(250, "ct.slowDecode", func(v slowDecode) ([]byte, error) {
		b := make([]byte, 8*len(v.X))
		for i, x := range v.X {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
		}
		return b, nil
	}, func(b []byte) (slowDecode, error) {
		if len(b)%8 != 0 {
			return slowDecode{}, errors.New("ct.slowDecode: length not a multiple of 8")
		}
		if dir := os.Getenv(envSlowDecode); dir != "" && cluster.IsWorker() {
			_ = os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o600)
			time.Sleep(500 * time.Millisecond)
		}
		v := slowDecode{X: make([]float64, len(b)/8)}
		for i := range v.X {
			v.X[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		return v, nil
	})
}

func makeSlow(n int) slowDecode { return slowDecode{X: big(n)} }

func sumSlow(v slowDecode) float64 { return sumSlice(v.X) }

var (
	makeSlowFn = cairn.Register("ct.makeSlow", makeSlow)
	sumSlowFn  = cairn.Register("ct.sumSlow", sumSlow, cairn.NoCheckpoint())
)

// TestRestoreLostWithWorker kills the worker that is reading a checkpoint
// back for a run: the restore is made again on another worker, and the
// value is restored, not computed again.
func TestRestoreLostWithWorker(t *testing.T) {
	const n = 100000
	want := float64(n) * (n - 1) / 2
	storeDir := t.TempDir()
	graph := func() *cairn.Thunk { return cairn.Delayed(sumSlowFn)(cairn.Delayed(makeSlowFn)(n)) }
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Run 1 computes the value and checkpoints it.
	c1 := startCluster(t, cluster.Config{Workers: 1})
	s1 := cairn.New(&cairn.Config{Executor: c1.ex, Checkpoints: openStore(t, storeDir)})
	var st cairn.RunStats
	if got, err := cairn.Collect[float64](ctx, s1, graph(), cairn.RunOptions{Stats: &st}); err != nil || got != want || st.Checkpointed != 1 {
		t.Fatalf("run 1: %v, %v, stats %+v", got, err, st)
	}
	s1.Close()
	c1.ex.Close()

	// Run 2 restores it on one of two workers, which dies reading it.
	marks := t.TempDir()
	c2 := startCluster(t, cluster.Config{Workers: 2, SlotsPerWorker: 1, Env: []string{envSlowDecode + "=" + marks}})
	l := newLedger(t, nil)
	s2 := cairn.New(&cairn.Config{Executor: c2.ex, Checkpoints: openStore(t, storeDir), Listeners: []cairn.Listener{l}})
	defer s2.Close()
	type answer struct {
		v   float64
		err error
	}
	done := make(chan answer, 1)
	go func() {
		v, err := cairn.Collect[float64](ctx, s2, graph(), cairn.RunOptions{Stats: &st})
		done <- answer{v, err}
	}()
	kill(t, started(t, marks))
	a := <-done
	if a.err != nil || a.v != want {
		t.Fatalf("run 2: %v, %v", a.v, a.err)
	}
	if st.Restored != 1 || st.Computed != 1 || st.RestoreFailed != 0 {
		t.Fatalf("run 2 stats %+v: want the value restored (on the other worker), only the sum computed", st)
	}
}
