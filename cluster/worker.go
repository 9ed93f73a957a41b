package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// WorkerConfig configures a worker (RunWorker). WorkerConfigFromEnv reads
// it from the worker environment.
type WorkerConfig struct {
	// NATS is the URL of the cluster's NATS server (CAIRN_NATS).
	NATS string
	// Name is the cluster's name (CAIRN_CLUSTER; default "cairn").
	Name string
	// ID is the worker's identity (CAIRN_WORKER_ID): letters, digits, -
	// and _. Default: the host name and a random suffix. A worker that a
	// launcher restarts under the same identity (a Kubernetes pod name) is
	// a new worker to the driver: the tasks the old process was running
	// run again, and the values it held are made again.
	ID string
	// Slots is how many tasks run at once (CAIRN_SLOTS; default
	// GOMAXPROCS).
	Slots int
	// Memory is the budget of the value store, beyond which values spill
	// to Dir (CAIRN_MEMORY; default 1 GiB).
	Memory int64
	// Dir is the scratch directory for spilled values (CAIRN_DIR;
	// default: a temporary directory, removed at exit).
	Dir string
	// Advertise is the address (host or IP) at which other workers and
	// the driver reach this one's data plane, and where it listens
	// (CAIRN_ADVERTISE). Default: this host's address on the route to the
	// NATS server (127.0.0.1 when NATS is local).
	Advertise string
	// Logger gets the worker's messages. Default: a text logger on
	// standard error.
	Logger *slog.Logger

	// parentPipe: the driver that started this worker holds the other end
	// of standard input; EOF means it is gone.
	parentPipe bool
	heartbeat  time.Duration
	timeout    time.Duration
}

// WorkerConfigFromEnv reads a WorkerConfig from the worker environment
// (see the Env constants).
func WorkerConfigFromEnv() (WorkerConfig, error) {
	cfg := WorkerConfig{
		NATS: os.Getenv(EnvNATS), Name: os.Getenv(EnvName), ID: os.Getenv(EnvID),
		Dir: os.Getenv(EnvDir), Advertise: os.Getenv(EnvAdvertise),
		parentPipe: os.Getenv(envParent) == "1",
	}
	if s := os.Getenv(EnvSlots); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("cluster: %s=%q: want a positive number of slots", EnvSlots, s)
		}
		cfg.Slots = n
	}
	if s := os.Getenv(EnvMemory); s != "" {
		n, err := checkpoint.ParseSize(s)
		if err != nil || n <= 0 {
			return cfg, fmt.Errorf("cluster: %s=%q: want a size such as 4GiB", EnvMemory, s)
		}
		cfg.Memory = n
	}
	for _, d := range []struct {
		env string
		dst *time.Duration
	}{{envHeartbeat, &cfg.heartbeat}, {envTimeout, &cfg.timeout}} {
		if s := os.Getenv(d.env); s != "" {
			v, err := time.ParseDuration(s)
			if err != nil {
				return cfg, fmt.Errorf("cluster: %s=%q: %w", d.env, s, err)
			}
			*d.dst = v
		}
	}
	if cfg.NATS == "" {
		return cfg, fmt.Errorf("cluster: %s is not set: a worker needs the NATS URL of its cluster (nats://host:4222)", EnvNATS)
	}
	return cfg, nil
}

// Main makes this process a worker if it was started as one (CAIRN_WORKER=1
// in its environment): it runs the worker until its driver is gone or it
// is told to stop, and exits. Otherwise it returns at once. Call it at the
// top of main, after every package has registered its functions (package
// initialisation does that) and before anything else:
//
//	func main() {
//		cluster.Main()
//		...
//
// In tests, call it at the top of TestMain.
func Main() {
	if os.Getenv(EnvWorker) != "1" {
		return
	}
	cfg, err := WorkerConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := RunWorker(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// IsWorker reports whether this process was started as a worker
// (CAIRN_WORKER=1).
func IsWorker() bool { return os.Getenv(EnvWorker) == "1" }

// worker is a running worker.
type worker struct {
	cfg     WorkerConfig
	id      string
	log     *slog.Logger
	nc      *nats.Conn
	js      jetstream.JetStream
	kv      jetstream.KeyValue
	n       names
	store   *chunkStore
	data    *dataServer
	fetch   *fetcher
	slots   chan struct{}
	results *resultSender
	stores  storeCache
	ckptSem chan struct{}

	driver    atomic.Pointer[driverInfo]
	draining  atomic.Bool
	quitting  atomic.Bool // the driver is gone: leave at once
	tasks     atomic.Int64
	running   sync.WaitGroup // task messages being processed
	ckpts     sync.WaitGroup // checkpoints being written
	stopOnce  sync.Once
	stopCause atomic.Pointer[string]
	stop      context.CancelFunc
	started   time.Time
}

// RunWorker runs a worker until ctx is done (then it drains: finishes its
// running tasks, and leaves), its driver is gone, or it is told to drain.
// SIGTERM drains too. A worker whose driver is gone leaves at once: the
// contexts of its running tasks are cancelled and RunWorker does not wait
// for them (it waits a few seconds at most for checkpoints being written).
func RunWorker(ctx context.Context, cfg WorkerConfig) error {
	if cfg.Name == "" {
		cfg.Name = "cairn"
	}
	n, err := newNames(cfg.Name)
	if err != nil {
		return err
	}
	if cfg.ID == "" {
		cfg.ID = defaultWorkerID()
	}
	if err := validID(cfg.ID); err != nil {
		return err
	}
	if cfg.Slots < 1 {
		cfg.Slots = runtime.GOMAXPROCS(0)
	}
	if cfg.Memory <= 0 {
		cfg.Memory = 1 << 30
	}
	if cfg.heartbeat <= 0 {
		cfg.heartbeat = time.Second
	}
	if cfg.timeout <= 0 {
		cfg.timeout = 5 * cfg.heartbeat
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	log = log.With("worker", cfg.ID)
	if cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "cairn-worker-")
		if err != nil {
			return fmt.Errorf("cluster: worker scratch directory: %w", err)
		}
		defer os.RemoveAll(dir)
		cfg.Dir = dir
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := &worker{cfg: cfg, id: cfg.ID, log: log, n: n, fetch: newFetcher(), started: time.Now(),
		store: newChunkStore(filepath.Join(cfg.Dir, "chunks"), cfg.Memory),
		slots: make(chan struct{}, cfg.Slots), ckptSem: make(chan struct{}, 4), stop: cancel}
	defer w.stores.closeAll(2 * time.Second)
	if cfg.parentPipe {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin) // returns when the driver is gone
			w.quit("the driver that started this worker is gone")
		}()
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	defer signal.Stop(term)
	go func() {
		select {
		case <-term:
			w.drain("SIGTERM")
		case <-ctx.Done():
		}
	}()
	if err := w.connect(ctx); err != nil {
		return err
	}
	defer w.nc.Close()
	return w.serve(ctx)
}

// defaultWorkerID is the host name and a random suffix.
func defaultWorkerID() string {
	h, _ := os.Hostname()
	var b strings.Builder
	for _, c := range h {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteRune(c)
		}
		if b.Len() >= 40 {
			break
		}
	}
	var r [4]byte
	_, _ = rand.Read(r[:])
	if b.Len() == 0 {
		b.WriteString("worker")
	}
	return b.String() + "-" + hex.EncodeToString(r[:])
}

// connect connects to NATS (trying again until ctx is done: the server may
// start after the worker) and opens the membership bucket.
func (w *worker) connect(ctx context.Context) error {
	var err error
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, 2*time.Second) {
		w.nc, err = nats.Connect(w.cfg.NATS, nats.Name("cairn worker "+w.id), nats.MaxReconnects(-1),
			nats.ReconnectWait(250*time.Millisecond))
		if err == nil {
			break
		}
		w.log.Debug("cairn: worker waiting for NATS", "url", redact(w.cfg.NATS), "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: worker %s: cannot reach NATS at %s: %w", w.id, redact(w.cfg.NATS), err)
		case <-time.After(delay):
		}
	}
	w.js, err = jetstream.New(w.nc)
	if err != nil {
		return fmt.Errorf("cluster: worker %s: %w", w.id, err)
	}
	return nil
}

// awaitDriver waits for a driver's entry in the membership bucket.
func (w *worker) awaitDriver(ctx context.Context) (*driverInfo, uint64, error) {
	announced := false
	for {
		if w.kv == nil {
			kv, err := w.js.KeyValue(ctx, w.n.bucket())
			if err == nil {
				w.kv = kv
			}
		}
		if w.kv != nil {
			e, err := w.kv.Get(ctx, driverKey)
			if err == nil {
				var d driverInfo
				if jerr := jsonUnmarshal(e.Value(), &d); jerr == nil && d.Secret != "" {
					return &d, e.Revision(), nil
				}
			}
		}
		if !announced {
			w.log.Info("cairn: worker waiting for a driver", "cluster", w.n.cluster)
			announced = true
		}
		select {
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// serve joins the cluster and runs tasks until the worker stops.
func (w *worker) serve(ctx context.Context) error {
	d, rev, err := w.awaitDriver(ctx)
	if err != nil {
		if w.cause() != "" {
			return nil
		}
		return fmt.Errorf("cluster: worker %s: no driver: %w", w.id, err)
	}
	w.driver.Store(d)
	host := w.cfg.Advertise
	if host == "" {
		host = routeAddr(w.cfg.NATS)
	}
	w.data, err = serveData(host, w.store, func() string {
		if d := w.driver.Load(); d != nil {
			return d.Secret
		}
		return ""
	})
	if err != nil {
		return err
	}
	defer w.data.close()
	w.results = newResultSender(w.nc, d.Results, w.id)
	defer w.results.close()

	ctl, err := w.nc.Subscribe(w.n.control(w.id), w.control)
	if err != nil {
		return fmt.Errorf("cluster: worker %s: %w", w.id, err)
	}
	defer ctl.Unsubscribe()

	stream, err := w.js.Stream(ctx, w.n.stream())
	if err != nil {
		return fmt.Errorf("cluster: worker %s: the task stream %s: %w", w.id, w.n.stream(), err)
	}
	cons, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: w.n.consumer(w.id), FilterSubject: w.n.tasks(w.id),
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: d.AckWait, MaxDeliver: d.MaxDeliver,
		MaxAckPending: 1 << 16, InactiveThreshold: max(time.Minute, 10*d.Timeout),
	})
	if err != nil {
		return fmt.Errorf("cluster: worker %s: its consumer: %w", w.id, err)
	}
	if err := w.announce(ctx, stateReady); err != nil {
		return err
	}
	w.log.Info("cairn: worker joined", "driver", d.ID, "slots", w.cfg.Slots, "data", w.data.addr())
	// Tasks run until they are done, or until the driver is gone.
	tctx, abandon := context.WithCancel(context.WithoutCancel(ctx))
	defer abandon()
	cc, err := w.consume(tctx, cons)
	if err != nil {
		return err
	}
	w.watch(ctx, rev)
	// Leaving: take no more tasks; finish those running and send what is
	// owed, unless the driver is gone; say goodbye.
	cc.Stop()
	bye := 2 * time.Second
	if w.quitting.Load() {
		// Nobody wants the running tasks' results: cancel them and leave
		// without waiting, so that no orphan outlives its driver by more
		// than seconds. Checkpoints being written are finished if that is
		// quick: a later run restores them.
		abandon()
		waitAtMost(&w.ckpts, quitGrace)
		bye = time.Second
	} else {
		w.running.Wait()
		w.ckpts.Wait()
		w.results.flush()
	}
	if w.nc.IsConnected() { // else the server went with the driver
		lctx, cancel := context.WithTimeout(context.Background(), bye)
		defer cancel()
		_ = w.kv.Delete(lctx, workerPrefix+w.id)
		_ = stream.DeleteConsumer(lctx, w.n.consumer(w.id))
	}
	if w.quitting.Load() {
		// Nothing owed is wanted: sends still waiting on a server that
		// is gone (the results' flush) give up at once.
		w.nc.Close()
	}
	w.log.Info("cairn: worker left", "why", w.cause(), "tasks", w.tasks.Load())
	return nil
}

// quitGrace bounds how long a worker whose driver is gone waits for the
// checkpoints it is writing.
const quitGrace = 3 * time.Second

// waitAtMost waits for wg, or for d.
func waitAtMost(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// consume takes task messages from the worker's consumer and runs their
// tasks with ctx. "No heartbeat" and other pull errors are logged: the
// consumer goes on pulling.
func (w *worker) consume(ctx context.Context, cons jetstream.Consumer) (jetstream.ConsumeContext, error) {
	cc, err := cons.Consume(func(m jetstream.Msg) {
		// While draining, tasks are declined (run), not left unacknowledged:
		// a message delivered again and again ends in the max-deliveries
		// advisory, which fails its tasks.
		w.running.Add(1)
		go func() {
			defer w.running.Done()
			w.handle(ctx, m)
		}()
	}, jetstream.PullMaxMessages(max(64, 4*w.cfg.Slots)),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if !errors.Is(err, jetstream.ErrNoHeartbeat) {
				w.log.Debug("cairn: worker pull", "err", err)
			}
		}))
	if err != nil {
		return nil, fmt.Errorf("cluster: worker %s: consume: %w", w.id, err)
	}
	return cc, nil
}

// watch beats until the worker stops: it puts the worker's entry, and
// checks that its driver is alive (its entry's revision moves).
func (w *worker) watch(ctx context.Context, rev uint64) {
	d := w.driver.Load()
	t := time.NewTicker(d.Heartbeat)
	defer t.Stop()
	lastMove := time.Now()
	for {
		select {
		case <-ctx.Done():
			if w.cause() == "" {
				w.setCause("stopped")
			}
			return
		case <-t.C:
		}
		if w.draining.Load() && w.idle() {
			w.setCause(w.cause())
			return
		}
		state := stateReady
		if w.draining.Load() {
			state = stateDraining
		}
		bctx, cancel := context.WithTimeout(ctx, d.Heartbeat)
		_ = w.announce(bctx, state)
		e, err := w.kv.Get(bctx, driverKey)
		cancel()
		switch {
		case err == nil && e.Revision() != rev:
			var nd driverInfo
			if jsonUnmarshal(e.Value(), &nd) == nil && nd.ID != d.ID {
				w.quit("another driver took the cluster over")
				continue
			}
			rev, lastMove = e.Revision(), time.Now()
		case errors.Is(err, jetstream.ErrKeyNotFound):
			w.quit("the driver left")
			continue
		}
		if time.Since(lastMove) > d.Timeout {
			w.quit(fmt.Sprintf("the driver has been silent for %v", time.Since(lastMove).Round(time.Second)))
		}
	}
}

// idle reports whether no task is running.
func (w *worker) idle() bool { return len(w.slots) == 0 && w.results.pending() == 0 }

// announce puts the worker's membership entry.
func (w *worker) announce(ctx context.Context, state string) error {
	host, _ := os.Hostname()
	exe, _ := os.Executable()
	n, mem, spilled := w.store.stats()
	info := memberInfo{ID: w.id, Host: host, PID: os.Getpid(), Binary: exe, Addr: w.data.addr(), Slots: w.cfg.Slots,
		State: state, Driver: w.driver.Load().ID, Started: w.started, Chunks: n, Memory: mem, Spilled: spilled,
		Tasks: w.tasks.Load(), Fetched: w.fetch.recv.Load(), FetchNanos: w.fetch.nanos.Load()}
	if _, err := w.kv.Put(ctx, workerPrefix+w.id, marshalJSON(info)); err != nil {
		return fmt.Errorf("cluster: worker %s: announcing: %w", w.id, err)
	}
	return nil
}

// quit stops the worker at once (its driver is gone: nobody wants its
// results).
func (w *worker) quit(why string) {
	w.setCause(why)
	w.quitting.Store(true)
	w.stop()
}

// drain stops the worker from taking tasks; it leaves once those running
// are done and their results sent.
func (w *worker) drain(why string) {
	if w.draining.Swap(true) {
		return
	}
	w.setCause(why)
	w.log.Info("cairn: worker draining", "why", why)
	if w.kv != nil && w.data != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = w.announce(ctx, stateDraining)
		cancel()
	}
}

func (w *worker) setCause(why string) {
	w.stopOnce.Do(func() { w.stopCause.Store(&why) })
}

func (w *worker) cause() string {
	if p := w.stopCause.Load(); p != nil {
		return *p
	}
	return ""
}

// control handles the driver's control messages.
func (w *worker) control(m *nats.Msg) {
	op, ids, err := decodeControl(m.Data)
	if err != nil {
		w.log.Warn("cairn: worker ignoring a control message", "err", err)
		return
	}
	switch op {
	case opRelease:
		w.store.release(ids...)
	case opDrain:
		w.drain("the driver asked")
	}
}

// routeAddr returns this host's address on the route to the first NATS
// server of url: where others can reach it.
func routeAddr(natsURL string) string {
	first := strings.TrimSpace(strings.Split(natsURL, ",")[0])
	u, err := url.Parse(first)
	if err != nil || u.Host == "" {
		return "127.0.0.1"
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "4222")
	}
	c, err := net.Dial("udp", host)
	if err != nil {
		return "127.0.0.1"
	}
	defer c.Close()
	if a, ok := c.LocalAddr().(*net.UDPAddr); ok {
		return a.IP.String()
	}
	return "127.0.0.1"
}

// redact hides a URL's password.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}
