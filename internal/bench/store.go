package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/all" // every store URL scheme
	"github.com/cairnlabs/cairn/codec"
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

// A timedOp is one thing rounds times: do performs n operations.
type timedOp struct {
	name string
	n    int
	do   func(round int) error // timed
	then func(round int) error // untimed, after do; nil for nothing
}

// rounds calls each op's do once per round, the ops in turn, for
// runs+1 rounds of which the first is an untimed warm-up, and returns each
// op's time per operation in each timed round. Taking the ops round-robin,
// each round starting with the next op, spreads a slow moment of the
// machine (another process's disk writes, say) and the cost of going first
// or last over all of them rather than on one. Before each do, all free
// memory goes back to the system, so that every op starts from the same
// state of the heap: large allocations then get fresh pages.
func rounds(runs int, ops []*timedOp) ([][]float64, error) {
	samples := make([][]float64, len(ops))
	for round := range runs + 1 {
		for k := range ops {
			i := (round + k) % len(ops) // each op leads a round in turn
			op := ops[i]
			debug.FreeOSMemory()
			start := time.Now()
			err := op.do(round)
			took := time.Since(start).Seconds()
			if err == nil && op.then != nil {
				err = op.then(round)
			}
			if err != nil {
				return nil, fmt.Errorf("bench: store: %s: %w", op.name, err)
			}
			if round > 0 {
				samples[i] = append(samples[i], took/float64(op.n))
			}
		}
	}
	return samples, nil
}

// paired returns the median over rounds of base's time over s's time in
// the same round, and the median of their difference.
func paired(base, s []float64) (ratio, over float64) {
	r, d := make([]float64, len(s)), make([]float64, len(s))
	for i := range s {
		r[i], d[i] = base[i]/s[i], s[i]-base[i]
	}
	return median(r), median(d)
}

// timed runs f after a garbage collection, so that garbage of earlier runs
// is not collected on f's time, and returns how long f took in seconds.
func timed(f func() error) (float64, error) {
	runtime.GC()
	start := time.Now()
	err := f()
	return time.Since(start).Seconds(), err
}

// result summarizes the per-operation samples of one measurement.
func result(name, op string, size int64, samples []float64, ops int) StoreResult {
	r := StoreResult{Name: name, Op: op, SizeBytes: size, Runs: len(samples),
		MedianS: median(samples), MinS: slices.Min(samples)}
	if ops > 1 {
		r.OpsPerRun = ops
	}
	if r.MedianS > 0 {
		r.MBPerS = float64(size) / r.MedianS / 1e6
	}
	return r
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// randomBlock returns n standard normal values, as a simulation's blocks
// hold: they barely compress, as such data does not.
func randomBlock(n int) []float64 {
	r := rand.New(rand.NewPCG(42, 54))
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

// asBytes views a []float64 as its bytes, in the machine's byte order.
func asBytes(v []float64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*8)
}

// startNATS starts an embedded NATS server with JetStream on a random port
// of 127.0.0.1, with its store in dir and logging off.
func startNATS(dir string) (*server.Server, error) {
	ns, err := server.NewServer(&server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  dir,
		NoLog:     true,
		NoSigs:    true,
	})
	if err != nil {
		return nil, fmt.Errorf("bench: store: nats server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("bench: store: embedded nats server not ready for connections after 10s")
	}
	return ns, nil
}

// storeURL returns the checkpoint store URL of the target name, with its
// files under dir.
func storeURL(name, dir string, nats *server.Server) string {
	fileURL := func(scheme, path, query string) string {
		return (&url.URL{Scheme: scheme, Path: filepath.ToSlash(path), RawQuery: query}).String()
	}
	switch name {
	case "file":
		return fileURL("file", dir, "")
	case "file-nofsync":
		return fileURL("file", dir, "fsync=false")
	case "mem":
		return "mem://"
	case "mem-nozstd":
		return "mem://?compression=none"
	case "sqlite":
		return fileURL("sqlite", filepath.Join(dir, "checkpoints.db"), "")
	case "blob+file":
		return fileURL("blob+file", dir, "")
	case "blob+mem":
		return "blob+mem://"
	case "nats":
		return nats.ClientURL() + "/bench" + strconv.FormatInt(rand.Int64(), 36)
	}
	panic("bench: no store URL for " + name) // StoreConfig.withDefaults checked the names
}

// openTarget opens the target name, keeping its files under dir.
func openTarget(ctx context.Context, name, dir string, payload []float64, nats *server.Server) (*target, error) {
	switch name {
	case "raw-fsync":
		return rawTarget(name, dir, asBytes(payload), true)
	case "raw":
		return rawTarget(name, dir, asBytes(payload), false)
	}
	s, err := checkpoint.Open(ctx, storeURL(name, dir, nats))
	if err != nil {
		return nil, fmt.Errorf("bench: store: %s: %w", name, err)
	}
	key := func(i int) string { return "block-" + strconv.Itoa(i) }
	typ := reflect.TypeFor[[]float64]()
	return &target{
		name: name,
		put: func(ctx context.Context, i int) error {
			_, err := s.Put(ctx, key(i), payload, checkpoint.Meta{Func: "bench.store"})
			return err
		},
		del: func(ctx context.Context, i int) error { return s.Delete(ctx, key(i)) },
		get: func(ctx context.Context, i int, full bool) error {
			v, _, err := s.Get(ctx, key(i), typ)
			if err != nil {
				return err
			}
			return checkBlock(v.([]float64), payload, full)
		},
		close: s.Close,
	}, nil
}

// checkBlock reports whether got holds want: every element if full is set,
// else the length and the ends.
func checkBlock(got, want []float64, full bool) error {
	n := len(want)
	ok := len(got) == n && (n == 0 || got[0] == want[0] && got[n-1] == want[n-1])
	if ok && full {
		ok = slices.Equal(got, want)
	}
	if !ok {
		return fmt.Errorf("read back %d float64s that differ from the %d written", len(got), n)
	}
	return nil
}

// rawTarget writes data to files in dir as the file store does, without any
// checkpoint code: a new temporary file, write, fsync (if sync), close,
// rename into place and, if sync, fsync the directory. It reads them with
// os.ReadFile.
func rawTarget(name, dir string, data []byte, sync bool) (*target, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("bench: store: %s: %w", name, err)
	}
	path := func(i int) string { return filepath.Join(dir, "block-"+strconv.Itoa(i)) }
	return &target{
		name: name,
		put:  func(_ context.Context, i int) error { return writeRaw(path(i), data, sync) },
		del:  func(_ context.Context, i int) error { return os.Remove(path(i)) },
		get: func(_ context.Context, i int, full bool) error {
			b, err := os.ReadFile(path(i))
			if err != nil {
				return err
			}
			if len(b) != len(data) || (full && string(b) != string(data)) {
				return fmt.Errorf("read back %d bytes that differ from the %d written", len(b), len(data))
			}
			return nil
		},
		close: func() error { return nil },
	}, nil
}

// writeRaw writes data to path atomically: temporary file, write, fsync if
// sync, close, rename, and fsync of the directory if sync.
func writeRaw(path string, data []byte, sync bool) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if !sync {
		return nil
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

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
