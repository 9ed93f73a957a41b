package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnlabs/cairn/exec"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Executor runs tasks on worker processes: an exec.Executor (with
// Restorer and Elastic) for cairn.Config.Executor. Make one with New and
// Close it after the schedulers that use it. Its methods are safe for
// concurrent use.
type Executor struct {
	cfg    Config
	n      names
	id     string // the driver's identity
	secret string
	dir    string // scratch, removed by Close if made here

	srv   *Server // embedded, or nil
	nc    *nats.Conn
	js    jetstream.JetStream
	kv    jetstream.KeyValue
	procs *launcher

	store *chunkStore // values the driver holds for workers to fetch
	data  *dataServer
	fetch *fetcher

	mu       sync.Mutex
	workers  map[string]*member
	gone     map[string]string // departed workers: why
	calls    map[uint64]*call  // by seq, awaiting an answer
	ckpts    map[uint64]*call  // by seq, awaiting a checkpoint outcome
	bySeqMsg map[uint64][]uint64
	seq      uint64
	lostOnce map[uint64]bool // task IDs lost before: suspects, run alone (quarantine.go)
	watchers map[int]func(int)
	nextW    int
	joined   chan struct{} // closed and replaced when a worker joins
	vacancy  chan struct{} // closed and replaced when a task may be placed anew
	waiting  int           // sends waiting on vacancy
	closed   bool

	// goneInc holds the departed workers' process starts
	// (memberInfo.Started), where known: another process under the
	// identity may join. Guarded by mu.
	goneInc map[string]time.Time

	out     *dispatcher
	release *releaser
	stop    context.CancelFunc
	bg      sync.WaitGroup

	stats struct {
		tasks, lost         atomic.Int64
		inlineBytes         atomic.Int64
		sentBytes, recvMsgs atomic.Int64
	}
}

// member is what the driver knows of a worker.
type member struct {
	info        memberInfo
	seen        time.Time // when its last heartbeat arrived, by this clock
	outstanding map[uint64]*call
	// reserved: a suspect task waits for this worker's other tasks to
	// finish, or runs on it; no other task is placed here meanwhile.
	reserved bool
}

// call is one task or restore awaiting its worker's answer.
type call struct {
	seq    uint64
	worker string
	task   *wireTask
	done   chan answer // buffered: one answer
	ckpt   chan exec.CheckpointOutcome
	alone  bool     // a suspect, running alone on its reserved worker
	msg    uint64   // stream sequence of its message
	held   []uint64 // driver-held values sent with it, freed when answered
}

// answer is how a call ended.
type answer struct {
	res    *wireResult
	worker string
	err    error // lost or failed before an answer
}

// New starts an executor: with Config.Workers, that many worker processes
// of this binary; with Config.NATS, on that NATS server (else one started
// here). It returns once the started workers have joined.
func New(ctx context.Context, cfg Config) (*Executor, error) {
	if IsWorker() {
		return nil, fmt.Errorf("cluster: this process was started as a cairn worker (%s=1) but did not become one: call cluster.Main() at the top of main (in tests, at the top of TestMain)", EnvWorker)
	}
	cfg.defaults()
	if cfg.Workers < 0 {
		return nil, fmt.Errorf("cluster: Config.Workers is %d: want 0 or more", cfg.Workers)
	}
	if cfg.NATS == "" && cfg.Workers == 0 {
		return nil, errors.New("cluster: Config has neither Workers nor NATS: set Workers to start worker processes here, or NATS to use a cluster's server")
	}
	n, err := newNames(cfg.Name)
	if err != nil {
		return nil, err
	}
	e := &Executor{cfg: cfg, n: n, id: randomID(), secret: randomSecret(), fetch: newFetcher(),
		workers: map[string]*member{}, gone: map[string]string{}, goneInc: map[string]time.Time{}, calls: map[uint64]*call{},
		ckpts: map[uint64]*call{}, bySeqMsg: map[uint64][]uint64{}, lostOnce: map[uint64]bool{},
		watchers: map[int]func(int){}, joined: make(chan struct{}), vacancy: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			e.shutdown()
		}
	}()
	e.dir = cfg.Dir
	if e.dir == "" {
		if e.dir, err = os.MkdirTemp("", "cairn-cluster-"); err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
		e.cfg.Dir = e.dir
	} else {
		e.dir = "" // not ours to remove
	}
	url := cfg.NATS
	if url == "" {
		e.srv, err = StartServer(ctx, ServerConfig{StoreDir: filepath.Join(e.cfg.Dir, "nats")})
		if err != nil {
			return nil, err
		}
		url = e.srv.URL()
		e.cfg.NATS = url
	}
	if err := e.connect(ctx, url); err != nil {
		return nil, err
	}
	e.store = newChunkStore(filepath.Join(e.cfg.Dir, "driver"), 1<<62)
	if e.data, err = serveData(routeAddr(url), e.store, func() string { return e.secret }); err != nil {
		return nil, err
	}
	bctx, cancel := context.WithCancel(context.Background())
	e.stop = cancel
	e.out = newDispatcher(e)
	e.release = newReleaser(e)
	if err := e.subscribe(); err != nil {
		return nil, err
	}
	if err := e.claim(ctx); err != nil {
		return nil, err
	}
	e.goBG(func() { e.heartbeat(bctx) })
	e.goBG(func() { e.watchMembers(bctx) })
	if cfg.Workers > 0 {
		e.procs = newLauncher(e)
		if err := e.procs.start(cfg.Workers); err != nil {
			return nil, err
		}
	}
	if want := max(cfg.Workers, cfg.MinWorkers); want > 0 {
		if err := e.awaitWorkers(ctx, want); err != nil {
			return nil, err
		}
	}
	ok = true
	return e, nil
}

func (e *Executor) goBG(f func()) {
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		f()
	}()
}

func randomID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "d" + hex.EncodeToString(b[:])
}

func randomSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// connect connects to NATS and makes the task stream and the membership
// bucket.
func (e *Executor) connect(ctx context.Context, url string) error {
	var err error
	e.nc, err = nats.Connect(url, nats.Name("cairn driver "+e.id), nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		return fmt.Errorf("cluster: connecting to NATS at %s: %w (is the server running? `cairn server` runs one)", redact(url), err)
	}
	if e.js, err = jetstream.New(e.nc); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	_, err = e.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: e.n.stream(), Subjects: []string{e.n.allTasks()}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.MemoryStorage, Replicas: e.cfg.Replicas, Discard: jetstream.DiscardOld,
		MaxMsgSize: -1,
	})
	if err != nil {
		return fmt.Errorf("cluster: making the task stream %s on %s: %w (JetStream enabled? `cairn server` enables it)", e.n.stream(), redact(url), err)
	}
	e.kv, err = e.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: e.n.bucket(), History: 1, Storage: jetstream.MemoryStorage, Replicas: e.cfg.Replicas,
	})
	if err != nil {
		return fmt.Errorf("cluster: making the membership bucket %s: %w", e.n.bucket(), err)
	}
	return nil
}

// claim makes this process the cluster's driver, unless a live driver
// holds it.
func (e *Executor) claim(ctx context.Context) error {
	ent, err := e.kv.Get(ctx, driverKey)
	if err == nil {
		// Someone was here: alive if their entry moves within a timeout.
		rev := ent.Revision()
		var other driverInfo
		_ = jsonUnmarshal(ent.Value(), &other)
		wait := other.Timeout
		if wait <= 0 || wait > 30*time.Second {
			wait = e.cfg.WorkerTimeout
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(wait, other.Heartbeat*2+time.Second)):
		}
		if now, err := e.kv.Get(ctx, driverKey); err == nil && now.Revision() != rev {
			return fmt.Errorf("cluster: the cluster %q already has a live driver (%s, pid %d on %s): use another Config.Name, or stop it", e.n.cluster, other.ID, other.PID, other.Host)
		}
	}
	return e.beat(ctx, 0)
}

// beat puts the driver's entry.
func (e *Executor) beat(ctx context.Context, n uint64) error {
	host, _ := os.Hostname()
	d := driverInfo{ID: e.id, Host: host, PID: os.Getpid(), Results: e.n.results(e.id), Secret: e.secret,
		InlineMax: e.cfg.InlineMax, AckWait: e.cfg.AckWait, MaxDeliver: e.cfg.MaxDeliver,
		Heartbeat: e.cfg.Heartbeat, Timeout: e.cfg.WorkerTimeout, Started: time.Now(), Beat: n}
	if _, err := e.kv.Put(ctx, driverKey, marshalJSON(d)); err != nil {
		return fmt.Errorf("cluster: announcing the driver: %w", err)
	}
	return nil
}

func (e *Executor) heartbeat(ctx context.Context) {
	t := time.NewTicker(e.cfg.Heartbeat)
	defer t.Stop()
	for n := uint64(1); ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		bctx, cancel := context.WithTimeout(ctx, e.cfg.Heartbeat)
		if err := e.beat(bctx, n); err != nil && ctx.Err() == nil {
			e.cfg.Logger.Warn("cairn: driver heartbeat failed", "err", err)
		}
		cancel()
		e.checkLiveness()
	}
}

// awaitWorkers waits until n workers have joined, or fails with what the
// first worker that died said.
func (e *Executor) awaitWorkers(ctx context.Context, n int) error {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.StartTimeout)
	defer cancel()
	for {
		e.mu.Lock()
		have, joined := len(e.workers), e.joined
		e.mu.Unlock()
		if have >= n {
			return nil
		}
		var exited chan struct{}
		if e.procs != nil {
			if err := e.procs.failed(); err != nil {
				return err
			}
			exited = e.procs.exitedChan()
		}
		select {
		case <-joined:
		case <-exited:
		case <-ctx.Done():
			return fmt.Errorf("cluster: %d of %d workers joined within %v: %w", have, n, e.cfg.StartTimeout, ctx.Err())
		}
	}
}

// Slots reports how many tasks may be in flight: the live workers' slots
// times Config.Pipeline (at least 1, so that tasks wait for a worker).
func (e *Executor) Slots() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.slotsLocked()
}

func (e *Executor) slotsLocked() int {
	n := 0
	for _, m := range e.workers {
		if m.info.State == stateReady {
			n += m.info.Slots
		}
	}
	return max(1, n*e.cfg.Pipeline)
}

// Watch calls f with the number of slots each time workers join or leave.
func (e *Executor) Watch(f func(slots int)) (stop func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	id := e.nextW
	e.nextW++
	e.watchers[id] = f
	return func() {
		e.mu.Lock()
		delete(e.watchers, id)
		e.mu.Unlock()
	}
}

// notifyLocked tells watchers the slots changed.
func (e *Executor) notifyLocked() {
	n := e.slotsLocked()
	for _, f := range e.watchers {
		f(n)
	}
}

// WorkerInfo describes a live worker.
type WorkerInfo struct {
	ID, Host, Addr string
	PID, Slots     int
	Draining       bool
	// Chunks, Memory and Spilled: the values it holds, their bytes in
	// memory and on its disk, as of its last heartbeat.
	Chunks          int
	Memory, Spilled int64
	Tasks           int64
	// Fetched is the bytes of inputs it fetched from other processes, and
	// FetchTime how long that took.
	Fetched   int64
	FetchTime time.Duration
}

// Workers lists the live workers, by identity.
func (e *Executor) Workers() []WorkerInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []WorkerInfo
	for _, m := range e.workers {
		i := m.info
		out = append(out, WorkerInfo{ID: i.ID, Host: i.Host, Addr: i.Addr, PID: i.PID, Slots: i.Slots,
			Draining: i.State == stateDraining, Chunks: i.Chunks, Memory: i.Memory, Spilled: i.Spilled, Tasks: i.Tasks,
			Fetched: i.Fetched, FetchTime: time.Duration(i.FetchNanos)})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// Stats counts what the executor did.
type Stats struct {
	// Tasks sent to workers, and lost with a worker.
	Tasks, Lost int64
	// DriverBytesIn is the bytes of values the driver received: results
	// small enough to ride back inline, and values fetched from workers
	// (Collect, Checkpoint hooks). The blocks of a computation stay on the
	// workers.
	DriverBytesIn int64
	// DriverBytesOut is the bytes of values the driver sent to workers
	// (arguments it held).
	DriverBytesOut int64
}

// Stats reports what the executor did so far.
func (e *Executor) Stats() Stats {
	return Stats{Tasks: e.stats.tasks.Load(), Lost: e.stats.lost.Load(),
		DriverBytesIn:  e.stats.inlineBytes.Load() + e.fetch.recv.Load(),
		DriverBytesOut: e.stats.sentBytes.Load() + e.data.sent.Load()}
}

// Drain asks a worker to stop taking tasks and leave once its running
// tasks are done, as SIGTERM does.
func (e *Executor) Drain(worker string) error {
	return e.nc.Publish(e.n.control(worker), encodeControl(opDrain, nil))
}

// Close stops the executor: the workers it started stop (others leave
// once they see the driver gone), tasks still waiting fail, and the
// embedded server, if any, shuts down. Close is safe to call more than
// once.
func (e *Executor) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.shutdown()
	return nil
}

// shutdown releases everything New made, in reverse.
func (e *Executor) shutdown() {
	if e.stop != nil {
		e.stop()
	}
	e.mu.Lock()
	e.closed = true
	e.vacateLocked() // sends waiting for a worker see it closed
	calls := make([]*call, 0, len(e.calls))
	for _, c := range e.calls {
		calls = append(calls, c)
	}
	e.mu.Unlock()
	for _, c := range calls {
		e.finish(c, answer{err: ErrClosed})
	}
	if e.kv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = e.kv.Delete(ctx, driverKey)
		cancel()
	}
	if e.out != nil {
		e.out.close()
	}
	if e.release != nil {
		e.release.close()
	}
	if e.procs != nil {
		e.procs.stop(5 * time.Second)
	}
	e.bg.Wait()
	if e.data != nil {
		e.data.close()
	}
	if e.nc != nil {
		e.nc.Close()
	}
	if e.srv != nil {
		e.srv.Shutdown()
	}
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
}
