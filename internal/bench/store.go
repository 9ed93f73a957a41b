package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/all" // every store URL scheme
)

// StoreConfig configures RunStore. The zero value gives the defaults
// documented on each field.
type StoreConfig struct {
	// Sizes are the payload sizes in bytes, each a positive multiple of 8
	// (a block of float64s). Default: 8 MiB and 128 MiB.
	Sizes []int64
	// Runs is the number of timed runs of each measurement, after one
	// untimed warm-up run. Default: 5.
	Runs int
	// Drivers names what to measure, from StoreDrivers. Default: all.
	// Naming file or file-nofsync brings in its raw baseline.
	Drivers []string
	// Dir is the directory the temporary stores are made in. Default:
	// os.TempDir().
	Dir string
	// SmallOps is the number of small checkpoints written and read in each
	// run of the small-checkpoint measurement. Default: 1000.
	SmallOps int
}

// StoreResult is one line of `cairn bench store`: the median of Runs timed
// runs of one operation on one store.
type StoreResult struct {
	// Name is the store ("file", "file-nofsync", "raw-fsync", "raw", "mem",
	// ..., see StoreDrivers), "codec" for the codec alone, or
	// "small/<store>" for small checkpoints (a float64 each).
	Name string `json:"name"`
	// Op is "write" or "read" (into fresh memory, whose pages fault in, as
	// in a process restoring its checkpoints); "encode" or "decode" for
	// the codec; "write", "read" and "write+read" for small checkpoints.
	Op string `json:"op"`
	// SizeBytes is the payload size: the bytes of the []float64.
	SizeBytes int64 `json:"size_bytes"`
	// MBPerS is SizeBytes over MedianS, in MB/s (10⁶ bytes a second).
	MBPerS float64 `json:"mb_per_s,omitempty"`
	// USPerOp is MedianS in microseconds, for small checkpoints.
	USPerOp float64 `json:"us_per_op,omitempty"`
	// Runs is the number of timed runs.
	Runs int `json:"runs"`
	// OpsPerRun is how many operations each run timed (MedianS is per
	// operation); 1 where omitted.
	OpsPerRun int `json:"ops_per_run,omitempty"`
	// MedianS and MinS are the median and fastest time of one operation.
	MedianS float64 `json:"median_s"`
	MinS    float64 `json:"min_s"`
	// RatioToRaw is the fraction of the raw baseline's speed reached (1 is
	// as fast as raw): the median over runs of the baseline's time over
	// this one's in the same run. Set for the file-based stores, against
	// raw files written the same way (with or without fsync) and read with
	// os.ReadFile, and for small checkpoints against small raw files.
	RatioToRaw float64 `json:"ratio_to_raw,omitempty"`
	// OverRawS is the time this store takes over the raw baseline, in
	// seconds: the median over runs of the difference in the same run. It
	// is set with RatioToRaw.
	OverRawS float64 `json:"over_raw_s,omitempty"`
}

// StoreDrivers returns the names RunStore measures, in the order it prints
// them: raw files with and without fsync and the stores over local files
// (file:// with and without fsync, blob+file://), then the others (mem://
// with its default zstd and without, blob+mem://, sqlite://, nats:// on an
// embedded JetStream server), then the codec alone and small checkpoints.
func StoreDrivers() []string {
	var ds []string
	for _, g := range storeGroups {
		ds = append(ds, g...)
	}
	return append(ds, "codec", "small")
}

// storeGroups are the targets measured together, round-robin: the raw files
// with the stores compared with them, and then the rest, so that the
// background work of a server (SQLite, NATS) does not land on the raw
// figures.
var storeGroups = [][]string{
	{"raw-fsync", "raw", "file", "file-nofsync", "blob+file"},
	{"mem", "mem-nozstd", "blob+mem", "sqlite", "nats"},
}

// baseline names the raw target each store's ratio is taken against.
var baseline = map[string]string{"file": "raw-fsync", "file-nofsync": "raw", "blob+file": "raw-fsync"}

// RunStore measures write and read throughput of the checkpoint stores for
// []float64 blocks of each size, next to raw files of the same bytes, and
// calls emit with each result; then the codec alone and small checkpoints.
// The stores are measured round-robin, run by run, so that a slow moment of
// the disk does not fall on one store only, and each run starts with all
// free memory given back to the system, so that reads go into fresh memory
// alike. Everything is written under a temporary directory of cfg.Dir,
// removed at the end.
func RunStore(ctx context.Context, cfg StoreConfig, emit func(StoreResult) error) (err error) {
	if cfg, err = cfg.withDefaults(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp(cfg.Dir, "cairn-bench-store-")
	if err != nil {
		return fmt.Errorf("bench: store: temporary directory: %w (set --dir to a writable directory)", err)
	}
	defer func() {
		if rerr := os.RemoveAll(dir); err == nil && rerr != nil {
			err = fmt.Errorf("bench: store: removing %s: %w", dir, rerr)
		}
	}()
	want := func(name string) bool { return slices.Contains(cfg.Drivers, name) }
	var nats *server.Server
	if want("nats") {
		if nats, err = startNATS(filepath.Join(dir, "nats")); err != nil {
			return err
		}
		defer func() { nats.Shutdown(); nats.WaitForShutdown() }()
	}
	for _, size := range cfg.Sizes {
		if err := runSize(ctx, cfg, dir, size, nats, emit); err != nil {
			return err
		}
		if want("codec") {
			if err := runCodec(size, cfg.Runs, emit); err != nil {
				return err
			}
		}
	}
	if want("small") {
		return runSmall(ctx, cfg, dir, emit)
	}
	return nil
}

// withDefaults fills in defaults and checks the configuration.
func (c StoreConfig) withDefaults() (StoreConfig, error) {
	if c.Sizes == nil {
		c.Sizes = []int64{8 << 20, 128 << 20}
	}
	for _, s := range c.Sizes {
		if s <= 0 || s%8 != 0 {
			return c, fmt.Errorf("bench: store: size %d is not a positive multiple of 8 bytes (a block of float64s)", s)
		}
	}
	if c.Runs == 0 {
		c.Runs = 5
	}
	if c.Runs < 0 {
		return c, fmt.Errorf("bench: store: runs is %d; give at least 1", c.Runs)
	}
	if c.SmallOps <= 0 {
		c.SmallOps = 1000
	}
	if c.Dir == "" {
		c.Dir = os.TempDir()
	}
	known := StoreDrivers()
	if c.Drivers == nil {
		c.Drivers = known
	}
	var ds []string
	for _, d := range c.Drivers {
		if !slices.Contains(known, d) {
			return c, fmt.Errorf("bench: store: unknown driver %q; known: %v", d, known)
		}
		if b, ok := baseline[d]; ok && !slices.Contains(ds, b) {
			ds = append(ds, b)
		}
		if !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	// Keep StoreDrivers' order.
	c.Drivers = slices.DeleteFunc(slices.Clone(known), func(d string) bool { return !slices.Contains(ds, d) })
	return c, nil
}

// A target is something that stores and reads back the payload: a raw file
// or a checkpoint store.
type target struct {
	name string
	// put stores the payload as entry i and removes entry i-1 (untimed:
	// del runs after the timed put).
	put func(ctx context.Context, i int) error
	del func(ctx context.Context, i int) error
	// get reads entry i back and checks it; full asks for a check of every
	// element rather than a sample.
	get   func(ctx context.Context, i int, full bool) error
	close func() error
}

// runSize measures every selected target for one payload size, group by
// group.
func runSize(ctx context.Context, cfg StoreConfig, dir string, size int64, nats *server.Server, emit func(StoreResult) error) error {
	var payload []float64
	for _, g := range storeGroups {
		names := slices.DeleteFunc(slices.Clone(g), func(d string) bool { return !slices.Contains(cfg.Drivers, d) })
		if len(names) == 0 {
			continue
		}
		if payload == nil {
			payload = randomBlock(int(size / 8))
		}
		if err := runGroup(ctx, cfg, dir, payload, names, nats, emit); err != nil {
			return err
		}
	}
	return nil
}

// runGroup measures the targets names, round-robin, for one payload.
func runGroup(ctx context.Context, cfg StoreConfig, dir string, payload []float64, names []string, nats *server.Server, emit func(StoreResult) error) (err error) {
	size := int64(len(payload)) * 8
	var targets []*target
	tdir := func(name string) string { return filepath.Join(dir, name+"-"+strconv.FormatInt(size, 10)) }
	defer func() {
		for _, t := range targets {
			if cerr := t.close(); err == nil && cerr != nil {
				err = fmt.Errorf("bench: store: close %s: %w", t.name, cerr)
			}
			if rerr := os.RemoveAll(tdir(t.name)); err == nil && rerr != nil {
				err = fmt.Errorf("bench: store: %w", rerr)
			}
		}
	}()
	for _, name := range names {
		t, err := openTarget(ctx, name, tdir(name), payload, nats)
		if err != nil {
			return err
		}
		targets = append(targets, t)
	}
	var writes []*timedOp
	for _, t := range targets {
		writes = append(writes, &timedOp{
			name: t.name + " write of " + checkpoint.FormatSize(size), n: 1,
			do: func(round int) error { return t.put(ctx, round) },
			then: func(round int) error {
				if round == 0 {
					return nil
				}
				return t.del(ctx, round-1)
			},
		})
	}
	ws, err := rounds(cfg.Runs, writes)
	if err != nil {
		return err
	}
	// Reads go into fresh memory, whose pages fault in as the buffer fills
	// (as in a process restoring its checkpoints), for raw files and
	// stores alike: whether a large allocation gets pages the process
	// already holds depends on when the runtime last gave memory back to
	// the system, which makes reads into reused memory (several times
	// faster) too erratic to compare.
	var reads []*timedOp
	for _, t := range targets {
		reads = append(reads, &timedOp{name: t.name + " read of " + checkpoint.FormatSize(size), n: 1,
			do: func(round int) error { return t.get(ctx, cfg.Runs, round == 0) }})
	}
	rs, err := rounds(cfg.Runs, reads)
	if err != nil {
		return err
	}
	for _, op := range []struct {
		name    string
		samples [][]float64
	}{{"write", ws}, {"read", rs}} {
		for i, t := range targets {
			r := result(t.name, op.name, size, op.samples[i], 1)
			if j := slices.IndexFunc(targets, func(b *target) bool { return b.name == baseline[t.name] }); j >= 0 {
				r.RatioToRaw, r.OverRawS = paired(op.samples[j], op.samples[i])
			}
			if err := emit(r); err != nil {
				return err
			}
		}
	}
	return nil
}
