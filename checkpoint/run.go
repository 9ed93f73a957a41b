package checkpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// The Store records runs under keys of its own, which ValidateKey keeps from
// users and List hides:
//
//	.cairn/runs/<h(run)>/run              {"run": "...", "started": "..."}, written at the run's first Put or Get
//	.cairn/runs/<h(run)>/reads-<id>-<n>   the h(key) of keys the run read, one a line
//	.cairn/runs/<h(run)>/done             empty: the run ended and its reads are recorded (EndRun)
//	.cairn/runs/<h(run)>/read/<h(key)>    empty: one key the run read (written by earlier versions)
//
// where h is XXH3-64 in hex. Reads are gathered in memory and written in
// batches (FlushReads): creating one entry per read could cost a millisecond
// on a disk, for every restore. Garbage collection with NotLastRun keeps the
// entries that the most recent run wrote (Meta.Run) or read (a read record).

type runCtxKey struct{}

// WithRun returns a context that carries a run id. Puts with it record the
// run in Meta.Run, and Gets with it record that the run read the key, so
// that garbage collection can keep what the most recent run used (see
// GCPolicy.NotLastRun). The scheduler sets it once per run.
func WithRun(ctx context.Context, runID string) context.Context {
	return context.WithValue(ctx, runCtxKey{}, runID)
}

// RunFromContext returns the run id that WithRun put in ctx, or "".
func RunFromContext(ctx context.Context) string {
	id, _ := ctx.Value(runCtxKey{}).(string)
	return id
}

// runRecord is the content of a run's record.
type runRecord struct {
	Run     string    `json:"run"`
	Started time.Time `json:"started"`
}

func runPrefix(run string) string {
	return fmt.Sprintf("%sruns/%016x/", internalPrefix, xxh3.HashString(run))
}
func runHeadKey(run string) string { return runPrefix(run) + "run" }
func readKey(run, key string) string {
	return fmt.Sprintf("%sread/%016x", runPrefix(run), xxh3.HashString(key))
}

// recordRun writes run's record once per Store, in the background: it is
// bookkeeping for garbage collection and stays off the caller's path (a
// new entry can cost a millisecond on a disk). FlushReads, GC and Close
// wait for it. Failures are logged: they cost garbage collection
// precision, never a checkpoint.
func (s *Store) recordRun(ctx context.Context, run string) {
	if run == "" {
		return
	}
	k := runHeadKey(run)
	if _, done := s.recorded.LoadOrStore(k, struct{}{}); done {
		return
	}
	started := s.now().UTC()
	s.pending.Add()
	go func() {
		defer s.pending.Done()
		b, _ := json.Marshal(runRecord{Run: run, Started: started})
		if err := s.d.Put(context.WithoutCancel(ctx), k, bytes.NewReader(b), int64(len(b))); err != nil {
			s.log.Warn("checkpoint: recording a run failed", "run", run, "err", err)
			s.recorded.Delete(k)
		}
	}()
}

// recordRead records a successful Get of key: its read time where the
// driver keeps one, and the context's run.
func (s *Store) recordRead(ctx context.Context, key string) {
	if t, ok := s.d.(driver.Toucher); ok {
		if err := t.Touch(ctx, key, s.now()); err != nil {
			s.log.Warn("checkpoint: recording a read time failed", "key", key, "err", err)
		}
	}
	run := RunFromContext(ctx)
	if run == "" {
		return
	}
	s.recordRun(ctx, run)
	if _, done := s.recorded.LoadOrStore(readKey(run, key), struct{}{}); done {
		return
	}
	if s.reads.add(run, fmt.Sprintf("%016x", xxh3.HashString(key))) >= readBatch {
		s.FlushReads(ctx)
	}
}

// readBatch is how many reads of one run are gathered before they are
// written.
const readBatch = 4096

// readLog gathers the reads of runs until they are written.
type readLog struct {
	flushMu sync.Mutex // held by FlushReads: a flush waits for one in flight
	mu      sync.Mutex
	pending map[string][]string // run -> hashes of keys read
	id      string              // tells this Store's records from other processes'
	seq     int
}

// add records a read and returns how many of run's reads are pending.
func (l *readLog) add(run, hash string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.id == "" {
		l.id = fmt.Sprintf("%016x", xxh3.HashString(fmt.Sprint(time.Now().UnixNano(), os.Getpid())))
	}
	if l.pending == nil {
		l.pending = map[string][]string{}
	}
	l.pending[run] = append(l.pending[run], hash)
	return len(l.pending[run])
}

// FlushReads writes the reads by runs that this Store has gathered in
// memory: one record per run, which garbage collection with NotLastRun
// reads. The scheduler calls it at the end of each run; Close and GC call
// it too. A failure is logged and returned: it costs garbage collection
// precision, never a checkpoint.
//
// FlushReads and EndRun are the bookkeeping API for schedulers (cairn's
// calls them, and so do cluster workers for the reads they make): a
// program that only uses a Store through cairn.Config never calls them.
func (s *Store) FlushReads(ctx context.Context) error {
	s.pending.Wait() // run records first: a read record needs its run's
	s.reads.flushMu.Lock()
	defer s.reads.flushMu.Unlock()
	s.reads.mu.Lock()
	batch := s.reads.pending
	s.reads.pending = nil
	id := s.reads.id
	s.reads.seq++
	seq := s.reads.seq
	s.reads.mu.Unlock()
	var first error
	for run, hashes := range batch {
		if len(hashes) == 0 {
			continue
		}
		b := []byte(strings.Join(hashes, "\n"))
		k := fmt.Sprintf("%sreads-%s-%d", runPrefix(run), id, seq)
		if err := s.d.Put(ctx, k, bytes.NewReader(b), int64(len(b))); err != nil {
			s.log.Warn("checkpoint: recording the reads of a run failed", "run", run, "reads", len(hashes), "err", err)
			s.reads.mu.Lock() // keep them for the next flush
			if s.reads.pending == nil {
				s.reads.pending = map[string][]string{}
			}
			s.reads.pending[run] = append(s.reads.pending[run], hashes...)
			s.reads.mu.Unlock()
			if first == nil {
				first = fmt.Errorf("checkpoint: record reads of run %s: %w", run, err)
			}
		}
	}
	return first
}

// runs is what a store records about runs, read for garbage collection.
type runs struct {
	heads map[string]runRecord       // run prefix -> record
	ended map[string]bool            // run prefix -> EndRun was recorded
	reads map[string]map[string]bool // run prefix -> set of read keys' hashes
	attrs []driver.Attrs             // every record entry
}

// readRuns reads the store's run records.
func (s *Store) readRuns(ctx context.Context) (*runs, error) {
	r := &runs{heads: map[string]runRecord{}, reads: map[string]map[string]bool{}, ended: map[string]bool{}}
	var mu sync.Mutex // a driver may call fn from several goroutines
	err := s.d.List(ctx, internalPrefix+"runs/", func(a driver.Attrs) error {
		mu.Lock()
		defer mu.Unlock()
		r.attrs = append(r.attrs, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checkpoint: list run records: %w", err)
	}
	for _, a := range r.attrs {
		rest := strings.TrimPrefix(a.Key, internalPrefix+"runs/")
		p, name, ok := strings.Cut(rest, "/")
		if !ok {
			continue
		}
		p = internalPrefix + "runs/" + p + "/"
		switch {
		case name == "run":
			b, err := s.d.Get(ctx, a.Key)
			if err != nil {
				continue // deleted meanwhile
			}
			var rec runRecord
			if json.Unmarshal(b, &rec) != nil || runPrefix(rec.Run) != p {
				s.log.Warn("checkpoint: ignoring a damaged run record", "key", a.Key)
				continue
			}
			r.heads[p] = rec
		case strings.HasPrefix(name, "read/"):
			if r.reads[p] == nil {
				r.reads[p] = map[string]bool{}
			}
			r.reads[p][strings.TrimPrefix(name, "read/")] = true
		case name == "done":
			r.ended[p] = true
		case strings.HasPrefix(name, "reads-"):
			b, err := s.d.Get(ctx, a.Key)
			if err != nil {
				continue // deleted meanwhile
			}
			if r.reads[p] == nil {
				r.reads[p] = map[string]bool{}
			}
			for _, h := range strings.Split(string(b), "\n") {
				if h != "" {
					r.reads[p][h] = true
				}
			}
		}
	}
	return r, nil
}

// latest returns the record of the run that started last, if any.
func (r *runs) latest() (runRecord, bool) {
	var best runRecord
	found := false
	for _, rec := range r.heads {
		if !found || rec.Started.After(best.Started) {
			best, found = rec, true
		}
	}
	return best, found
}

// read reports whether run read key.
func (r *runs) read(run, key string) bool {
	return r.reads[runPrefix(run)][fmt.Sprintf("%016x", xxh3.HashString(key))]
}

// EndRun records that run has ended: its reads are written (FlushReads),
// then a marker that garbage collection with NotLastRun looks for, so that
// it never judges by a run that is still going, or was killed, whose reads
// may not all be recorded. The scheduler calls it at the end of each run
// that used the store; see FlushReads for who else calls it.
func (s *Store) EndRun(ctx context.Context, run string) error {
	if run == "" {
		return nil
	}
	err := s.FlushReads(ctx)
	if _, used := s.recorded.Load(runHeadKey(run)); !used {
		return err // the run never touched this store
	}
	if perr := s.d.Put(ctx, runPrefix(run)+"done", bytes.NewReader(nil), 0); perr != nil {
		s.log.Warn("checkpoint: recording the end of a run failed", "run", run, "err", perr)
		if err == nil {
			err = fmt.Errorf("checkpoint: record end of run %s: %w", run, perr)
		}
	}
	return err
}
