package checkpoint_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/zeebo/xxh3"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/filestore"
	"github.com/cairnlabs/cairn/checkpoint/memstore"
)

// failReads fails the Puts of read records while fail is set.
type failReads struct {
	*memstore.Driver
	fail atomic.Bool
}

func (d *failReads) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if d.fail.Load() && strings.Contains(key, "/reads-") {
		return errors.New("injected: transient write failure")
	}
	return d.Driver.Put(ctx, key, r, size)
}

// R2-1: one failed FlushReads loses the run's reads for good: the batch is
// dropped and the per-Store dedupe (s.recorded) keeps later reads of the
// same key by the same run from being recorded again. GC NotLastRun then
// deletes a checkpoint the latest run read.
func TestRegressionFailedFlushLosesReads(t *testing.T) {
	bg := context.Background()
	c := newClock()
	d := &failReads{Driver: memstore.New(nil)}
	s := checkpoint.New(d, &checkpoint.Options{Now: c.now})
	defer s.Close()
	run1 := checkpoint.WithRun(bg, "run-1")
	for _, k := range []string{"x", "y"} {
		if _, err := s.Put(run1, k, 1.0, checkpoint.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	c.add(time.Hour)
	run2 := checkpoint.WithRun(bg, "run-2")
	if _, _, err := s.Get(run2, "x", nil); err != nil {
		t.Fatal(err)
	}
	d.fail.Store(true)
	if err := s.FlushReads(bg); err == nil {
		t.Fatal("injected failure not reported")
	}
	d.fail.Store(false) // the fault was transient
	// The same run reads x again: still not recorded.
	if _, _, err := s.Get(run2, "x", nil); err != nil {
		t.Fatal(err)
	}
	s.EndRun(bg, "run-2")
	rep, err := s.GC(bg, checkpoint.GCPolicy{NotLastRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(rep.Deleted, "x") {
		t.Fatalf("GC NotLastRun deleted x, which run-2 (the last run) read: %+v", rep)
	}
}

// R2-2: reads are kept only in the memory of the process that made them
// until FlushReads/Close. A run that restored x and is still running (or
// was OOM-killed: the case checkpoints exist for) has its head record on
// disk but none of its reads, so GC from another process (cairn ckpt gc)
// deletes x although x was read by the last run.
func TestRegressionUnflushedReadsInvisibleToOtherProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	url := "file://" + dir + "?pack=false" // the test looks for run records' files
	open := func() *checkpoint.Store {
		s, err := checkpoint.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := open()
	run1 := checkpoint.WithRun(ctx, "run-1")
	for _, k := range []string{"x", "y"} {
		if _, err := a.Put(run1, k, 1.0, checkpoint.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	time.Sleep(10 * time.Millisecond)
	b := open() // the run-2 process: restores x, then dies without Close
	if _, _, err := b.Get(checkpoint.WithRun(ctx, "run-2"), "x", nil); err != nil {
		t.Fatal(err)
	}
	// Wait for run-2's head record (written in the background).
	deadline := time.Now().Add(5 * time.Second)
	for {
		var found bool
		filepath.Walk(filepath.Join(dir, ".cairn"), func(p string, fi os.FileInfo, err error) error {
			if err == nil && strings.HasSuffix(p, "/run~ck") {
				if bs, _ := os.ReadFile(p); strings.Contains(string(bs), "run-2") {
					found = true
				}
			}
			return nil
		})
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("run-2 head record never written")
		}
		time.Sleep(5 * time.Millisecond)
	}
	c := open()
	defer c.Close()
	// The last run never ended: GC refuses to judge by it.
	rep, err := c.GC(ctx, checkpoint.GCPolicy{NotLastRun: true})
	if err == nil || !strings.Contains(err.Error(), "has not ended") || len(rep.Deleted) != 0 {
		t.Fatalf("GC = %+v, %v: want a refusal, since run-2 (the last run) never ended", rep, err)
	}
	_ = b // never closed: the process died
}

var _ = filestore.Open

// slowReads blocks the Puts of read records until release is closed.
type slowReads struct {
	*memstore.Driver
	entered chan struct{}
	release chan struct{}
}

func (d *slowReads) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if strings.Contains(key, "/reads-") {
		select {
		case d.entered <- struct{}{}:
		default:
		}
		<-d.release
	}
	return d.Driver.Put(ctx, key, r, size)
}

// R2-3: GC's FlushReads does not wait for a FlushReads already in flight
// (the scheduler's end-of-run flush runs in the background, and recordRead
// flushes every 4096 reads): it swaps in an empty batch, returns at once,
// and GC NotLastRun deletes what the in-flight batch says the last run read.
// In user code: Collect (restores x) then store.GC(NotLastRun) at once.
func TestRegressionGCRacesInFlightFlush(t *testing.T) {
	bg := context.Background()
	c := newClock()
	d := &slowReads{Driver: memstore.New(nil), entered: make(chan struct{}, 1), release: make(chan struct{})}
	s := checkpoint.New(d, &checkpoint.Options{Now: c.now})
	run1 := checkpoint.WithRun(bg, "run-1")
	for _, k := range []string{"x", "y"} {
		if _, err := s.Put(run1, k, 1.0, checkpoint.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	c.add(time.Hour)
	if _, _, err := s.Get(checkpoint.WithRun(bg, "run-2"), "x", nil); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.EndRun(bg, "run-2"); close(done) }() // the scheduler's background end of run
	<-d.entered
	go func() { time.Sleep(50 * time.Millisecond); close(d.release) }() // the write takes a while
	rep, err := s.GC(bg, checkpoint.GCPolicy{NotLastRun: true})
	<-done
	s.Close()
	if err != nil && !strings.Contains(err.Error(), "has not ended") {
		t.Fatal(err) // refusing while the run's end is being written is safe
	}
	if slices.Contains(rep.Deleted, "x") {
		t.Fatalf("GC = %+v: deleted x, read by the last run, whose read record was being written", rep)
	}
}

// R2-4: the frame format promises that a zstd payload never makes Get
// allocate more than its recorded raw length, but decompress calls
// DecodeAll, which decodes the whole zstd stream whatever rawLen says and
// compares lengths only afterwards: a few KiB frame that says "8 raw bytes"
// allocates as much as the stream expands to (GiBs: an OOM kill).
func TestRegressionZstdBombIgnoresRawLen(t *testing.T) {
	ctx := context.Background()
	s, d, b := rawFrame(t, checkpoint.CompressionZstd, make([]float64, 4096)) // compressible: zstd frame
	if b[6] != 1 {
		t.Fatal("test frame is not compressed")
	}
	metaLen := int(binary.LittleEndian.Uint32(b[8:]))
	off := (48 + metaLen + 7) &^ 7
	enc, _ := zstd.NewWriter(nil)
	bomb := enc.EncodeAll(make([]byte, 64<<20), nil) // 64 MiB of zeros
	frame := append(append([]byte(nil), b[:off]...), bomb...)
	binary.LittleEndian.PutUint64(frame[16:], uint64(len(bomb)))
	binary.LittleEndian.PutUint64(frame[24:], 8) // raw length: 8 bytes
	binary.LittleEndian.PutUint64(frame[32:], xxh3.Hash(bomb))
	var h xxh3.Hasher
	h.Write(frame[:40])
	h.Write(frame[48 : 48+metaLen])
	binary.LittleEndian.PutUint64(frame[40:], h.Sum64())
	if err := d.Put(ctx, "k", bytes.NewReader(frame), int64(len(frame))); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := s.Get(ctx, "k", nil)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, checkpoint.ErrCorrupt) {
		t.Fatalf("Get = %v, want ErrCorrupt", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Fatalf("Get of a %d-byte frame whose raw length is 8 allocated %d MiB", len(frame), got>>20)
	}
}

// R2-6: GC OlderThan keeps only the most recent run's head record and drops
// its older read records ("never the most recent run's own record" in the
// comment); the Store's per-run dedupe then never rewrites them, so a later
// NotLastRun deletes what that run read (and touched, so OlderThan kept it).
func TestRegressionOlderThanDropsLatestRunsReads(t *testing.T) {
	bg := context.Background()
	c := newClock()
	s := checkpoint.New(memstore.New(&memstore.Options{Now: c.now}), &checkpoint.Options{Now: c.now})
	defer s.Close()
	if _, err := s.Put(checkpoint.WithRun(bg, "run-1"), "x", 1.0, checkpoint.Meta{}); err != nil {
		t.Fatal(err)
	}
	c.add(time.Hour)
	run2 := checkpoint.WithRun(bg, "run-2")
	if _, _, err := s.Get(run2, "x", nil); err != nil { // read record at +1h
		t.Fatal(err)
	}
	s.FlushReads(bg)
	c.add(2 * time.Hour)
	if _, _, err := s.Get(run2, "x", nil); err != nil { // touched at +3h, no new record
		t.Fatal(err)
	}
	if rep, err := s.GC(bg, checkpoint.GCPolicy{OlderThan: 90 * time.Minute}); err != nil || len(rep.Deleted) != 0 {
		t.Fatalf("GC OlderThan = %+v, %v; want x kept", rep, err)
	}
	s.EndRun(bg, "run-2")
	rep, err := s.GC(bg, checkpoint.GCPolicy{NotLastRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Run != "run-2" || slices.Contains(rep.Deleted, "x") {
		t.Fatalf("GC NotLastRun = %+v: deleted x, read by the last run", rep)
	}
}

// The store's own prefix is reserved in any letter case: on a
// case-insensitive file system ".CAIRN/x" would land among its records.
func TestRegressionReservedPrefixAnyCase(t *testing.T) {
	for _, k := range []string{".cairn", ".CAIRN/x", ".Cairn/runs/0000000000000000/run", ".cAiRn/y"} {
		if err := checkpoint.ValidateKey(k); !errors.Is(err, checkpoint.ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
	if err := checkpoint.ValidateKey(".cairnx/y"); err != nil {
		t.Errorf("ValidateKey(.cairnx/y) = %v: only the prefix itself is reserved", err)
	}
}
