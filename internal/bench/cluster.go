package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/filestore"
	"github.com/cairnlabs/cairn/cluster"
	"github.com/cairnlabs/cairn/internal/seedload"
	"github.com/nats-io/nats.go"
)

// ClusterResult is one line of `cairn bench cluster --json`: one measure,
// named by Name, with the fields that apply to it.
type ClusterResult struct {
	Name    string  `json:"name"`
	Workers int     `json:"workers"`
	Tasks   int     `json:"tasks,omitempty"`
	Runs    int     `json:"runs,omitempty"`
	MedianS float64 `json:"median_s,omitempty"`
	MinS    float64 `json:"min_s,omitempty"`
	// UsPerTask is the overhead per task (overhead, scale).
	UsPerTask float64 `json:"us_per_task,omitempty"`
	// TasksPerS is the throughput (scale).
	TasksPerS float64 `json:"tasks_per_s,omitempty"`
	// GBps is the transfer rate (transfer).
	GBps  float64 `json:"gb_per_s,omitempty"`
	Bytes int64   `json:"bytes,omitempty"`
	// LocalMedianS and Ratio compare with the local executor (seed), or
	// Ratio compares with no checkpoints (seed-ckpt).
	LocalMedianS float64 `json:"local_median_s,omitempty"`
	Ratio        float64 `json:"ratio,omitempty"`
	// DriverBytesIn is the bytes of values the driver received per run.
	DriverBytesIn int64 `json:"driver_bytes_in,omitempty"`
	// MembershipMsgsPerS is the heartbeat traffic on the membership
	// bucket, idle (scale).
	MembershipMsgsPerS float64 `json:"membership_msgs_per_s,omitempty"`
	Result             float64 `json:"result,omitempty"`
}

// ClusterOverhead times n trivial tasks (fan-in or chain) on s, whose
// executor is a cluster; see Overhead.
func ClusterOverhead(ctx context.Context, s *cairn.Scheduler, shape string, n, runs int) (ClusterResult, error) {
	var samples []float64
	for r := 0; r <= runs; r++ { // one warm-up
		res, err := Overhead(ctx, s, shape, n)
		if err != nil {
			return ClusterResult{}, err
		}
		if r > 0 {
			samples = append(samples, res.RunNsPerThunk*float64(n)/1e9)
		}
	}
	med, lo := medianMin(samples)
	return ClusterResult{Name: "overhead " + shape, Tasks: n, Runs: runs, MedianS: med, MinS: lo,
		UsPerTask: med / float64(n) * 1e6}, nil
}

func transferBlock(n, seed int) []float64 {
	b := make([]float64, n)
	for i := range b {
		b[i] = float64(seed)
	}
	return b
}

func transferPair(a, b []float64) float64 { return a[len(a)-1] + b[len(b)-1] }

var (
	transferBlockFn = cairn.Register("bench.transfer.block", transferBlock)
	transferPairFn  = cairn.Register("bench.transfer.pair", transferPair)
)

// Transfer makes two blocks of size bytes, one on each of two workers, and
// a task that needs both: it runs where one is and fetches the other.
// The rate is what the workers measured while fetching.
func Transfer(ctx context.Context, s *cairn.Scheduler, ex *cluster.Executor, size int64, runs int) (ClusterResult, error) {
	n := int(size / 8)
	var rates []float64
	var moved int64
	for r := 0; r <= runs; r++ {
		before := fetched(ex)
		t := cairn.Delayed(transferPairFn)(cairn.Delayed(transferBlockFn)(n, 2*r), cairn.Delayed(transferBlockFn)(n, 2*r+1))
		got, err := cairn.Collect[float64](ctx, s, t)
		if err != nil {
			return ClusterResult{}, err
		}
		if got != float64(4*r+1) {
			return ClusterResult{}, fmt.Errorf("bench: transfer pair gave %v, want %v", got, 4*r+1)
		}
		// The workers report their fetches with their next heartbeat.
		var after fetchStats
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if after = fetched(ex); after.bytes-before.bytes >= size {
				break
			}
		}
		b, d := after.bytes-before.bytes, after.time-before.time
		if b < size || d <= 0 {
			return ClusterResult{}, fmt.Errorf("bench: the workers fetched %d bytes in %v, want %d (did both blocks land on one worker?)", b, d, size)
		}
		if r > 0 {
			rates = append(rates, float64(b)/d.Seconds()/1e9)
			moved = b
		}
	}
	sort.Float64s(rates)
	return ClusterResult{Name: "transfer", Runs: runs, Bytes: moved, GBps: rates[len(rates)/2]}, nil
}

type fetchStats struct {
	bytes int64
	time  time.Duration
}

func fetched(ex *cluster.Executor) fetchStats {
	var f fetchStats
	for _, w := range ex.Workers() {
		f.bytes += w.Fetched
		f.time += w.FetchTime
	}
	return f
}

// SeedOnWorkers runs the seed workload on the cluster scheduler and on a
// local one, interleaved, and reports the ratio of the medians and the
// bytes of values the driver received per cluster run.
func SeedOnWorkers(ctx context.Context, cs, ls *cairn.Scheduler, ex *cluster.Executor, size, block, runs int) (ClusterResult, error) {
	w := seedload.Workload{N: size, Block: block, Seed: 4}
	var remote, local []float64
	var in int64
	var result float64
	for r := 0; r <= runs; r++ {
		for _, s := range []*cairn.Scheduler{cs, ls} {
			before := ex.Stats().DriverBytesIn
			d, v, err := timeSeed(ctx, s, w)
			if err != nil {
				return ClusterResult{}, err
			}
			if r == 0 {
				continue
			}
			if s == cs {
				remote = append(remote, d)
				in = ex.Stats().DriverBytesIn - before
				result = v
			} else {
				local = append(local, d)
				if v != result {
					return ClusterResult{}, fmt.Errorf("bench: the seed gave %v on the cluster and %v here", result, v)
				}
			}
		}
	}
	rm, rlo := medianMin(remote)
	lm, _ := medianMin(local)
	return ClusterResult{Name: fmt.Sprintf("seed %d/%d", size, block), Runs: runs, MedianS: rm, MinS: rlo,
		LocalMedianS: lm, Ratio: rm / lm, DriverBytesIn: in, Result: result}, nil
}

func timeSeed(ctx context.Context, s *cairn.Scheduler, w seedload.Workload) (float64, float64, error) {
	start := time.Now()
	t, err := w.Graph()
	if err != nil {
		return 0, 0, err
	}
	v, err := cairn.Collect[float64](ctx, s, t)
	return time.Since(start).Seconds(), v, err
}

// SeedCkptOnWorkers times the seed workload's first run on the cluster with
// per-block checkpoints written by the workers to a fresh file:// store
// (fsync off) in dir, against the same run without checkpoints,
// interleaved.
func SeedCkptOnWorkers(ctx context.Context, ex *cluster.Executor, dir string, size, block, runs int) (ClusterResult, error) {
	w := seedload.Workload{N: size, Block: block, Seed: 4}
	plain := cairn.New(&cairn.Config{Executor: ex})
	defer plain.Close()
	var with, without []float64
	for r := 0; r <= runs; r++ {
		d, _, err := timeSeed(ctx, plain, w)
		if err != nil {
			return ClusterResult{}, err
		}
		sdir := filepath.Join(dir, "r"+strconv.Itoa(r))
		u, err := filestore.URL(sdir)
		if err != nil {
			return ClusterResult{}, err
		}
		st, err := checkpoint.Open(ctx, u+"?fsync=false")
		if err != nil {
			return ClusterResult{}, err
		}
		s := cairn.New(&cairn.Config{Executor: ex, Checkpoints: st})
		var stats cairn.RunStats
		start := time.Now()
		t, err := w.Graph()
		if err == nil {
			_, err = cairn.Collect[float64](ctx, s, t, cairn.RunOptions{Stats: &stats})
		}
		dc := time.Since(start).Seconds()
		s.Close()
		st.Close()
		os.RemoveAll(sdir)
		if err != nil {
			return ClusterResult{}, err
		}
		if stats.Checkpointed < size/block*size/block {
			return ClusterResult{}, fmt.Errorf("bench: %d checkpoints written, want at least the %d block sums", stats.Checkpointed, size/block*size/block)
		}
		if r > 0 {
			with = append(with, dc)
			without = append(without, d)
		}
	}
	wm, wlo := medianMin(with)
	om, _ := medianMin(without)
	return ClusterResult{Name: fmt.Sprintf("seed-ckpt %d/%d", size, block), Runs: runs, MedianS: wm, MinS: wlo,
		LocalMedianS: om, Ratio: wm / om}, nil
}

// Scale runs n trivial tasks on a cluster of workers started as procs
// processes of exe (`cairn worker --count`), each with its own NATS
// connection, and measures the throughput and the membership traffic of
// the idle cluster.
func Scale(ctx context.Context, exe string, workers, procs, n, runs int) (ClusterResult, error) {
	srv, err := cluster.StartServer(ctx, cluster.ServerConfig{})
	if err != nil {
		return ClusterResult{}, err
	}
	defer srv.Shutdown()
	name := fmt.Sprintf("scale%d", workers)
	ex, err := cluster.New(ctx, cluster.Config{NATS: srv.URL(), Name: name})
	if err != nil {
		return ClusterResult{}, err
	}
	defer ex.Close()
	per := (workers + procs - 1) / procs
	var cmds []*exec.Cmd
	defer func() {
		for _, c := range cmds {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
	}()
	for left := workers; left > 0; left -= per {
		k := min(per, left)
		c := exec.CommandContext(ctx, exe, "worker", "--nats", srv.URL(), "--name", name, "--slots", "1",
			"--count", strconv.Itoa(k), "--id", fmt.Sprintf("s%d", len(cmds)))
		if err := c.Start(); err != nil {
			return ClusterResult{}, err
		}
		cmds = append(cmds, c)
	}
	for deadline := time.Now().Add(60 * time.Second); len(ex.Workers()) < workers; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return ClusterResult{}, fmt.Errorf("bench: %d of %d workers joined in 60 s", len(ex.Workers()), workers)
		}
	}
	s := cairn.New(&cairn.Config{Executor: ex})
	defer s.Close()
	res, err := ClusterOverhead(ctx, s, "fan-in", n, runs)
	if err != nil {
		return ClusterResult{}, err
	}
	rate, err := membershipRate(ctx, srv.URL(), name, 3*time.Second)
	if err != nil {
		return ClusterResult{}, err
	}
	res.Name, res.Workers = "scale", workers
	res.TasksPerS = float64(n) / res.MedianS
	res.MembershipMsgsPerS = rate
	return res, nil
}

// membershipRate counts the messages on the membership bucket's subjects
// for d.
func membershipRate(ctx context.Context, url, name string, d time.Duration) (float64, error) {
	nc, err := nats.Connect(url)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	var n atomic.Int64
	sub, err := nc.Subscribe("$KV.cairn_"+name+".>", func(*nats.Msg) { n.Add(1) })
	if err != nil {
		return 0, err
	}
	defer sub.Unsubscribe()
	select {
	case <-time.After(d):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return float64(n.Load()) / d.Seconds(), nil
}

func medianMin(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2], s[0]
}
