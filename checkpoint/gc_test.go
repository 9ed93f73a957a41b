package checkpoint_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
)

// clock is a settable time source for Options.Now.
// clock is a settable clock; the Store reads it from background goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func keys(t *testing.T, s *checkpoint.Store) []string {
	t.Helper()
	var out []string
	if err := s.List(context.Background(), "", func(i checkpoint.Info) error { out = append(out, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestGCOlderThan(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	for name, s := range stores(t, &checkpoint.Options{Now: c.now}) {
		t.Run(name, func(t *testing.T) {
			for _, k := range []string{"old", "read", "new"} {
				s.Put(ctx, k, 1.0, checkpoint.Meta{})
			}
			// The file driver's ModTime is the file's: age "old" and "read" by hand.
			touch(t, s, "old", c.now().Add(-100*time.Hour))
			touch(t, s, "read", c.now().Add(-100*time.Hour))
			touch(t, s, "new", c.now().Add(-1*time.Hour))
			if _, _, err := s.Get(ctx, "read", nil); err != nil { // a read makes it recent
				t.Fatal(err)
			}
			rep, err := s.GC(ctx, checkpoint.GCPolicy{OlderThan: 72 * time.Hour, DryRun: true})
			if err != nil || !slices.Equal(rep.Deleted, []string{"old"}) {
				t.Fatalf("dry run = %+v, %v; want [old]", rep, err)
			}
			if got := keys(t, s); len(got) != 3 {
				t.Fatalf("a dry run deleted: %q left", got)
			}
			rep, err = s.GC(ctx, checkpoint.GCPolicy{OlderThan: 72 * time.Hour})
			if err != nil || !slices.Equal(rep.Deleted, []string{"old"}) || rep.Kept != 2 || rep.Scanned != 3 {
				t.Fatalf("GC = %+v, %v; want [old] deleted and 2 kept", rep, err)
			}
			if got := keys(t, s); !slices.Equal(got, []string{"new", "read"}) {
				t.Fatalf("after GC: %q", got)
			}
		})
	}
}

// touch sets a key's ModTime through the driver, where it supports it.
func touch(t *testing.T, s *checkpoint.Store, key string, at time.Time) {
	t.Helper()
	type toucher interface {
		Touch(ctx context.Context, key string, t time.Time) error
	}
	if err := s.Driver().(toucher).Touch(context.Background(), key, at); err != nil {
		t.Fatal(err)
	}
}

func TestGCMaxBytesLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	for name, s := range stores(t, &checkpoint.Options{Now: c.now, Compression: checkpoint.CompressionNone}) {
		t.Run(name, func(t *testing.T) {
			var size int64
			for i, k := range []string{"a", "b", "c", "d"} {
				info, err := s.Put(ctx, k, make([]float64, 128), checkpoint.Meta{})
				if err != nil {
					t.Fatal(err)
				}
				size = info.Size
				touch(t, s, k, c.now().Add(time.Duration(i-10)*time.Hour)) // a oldest
			}
			c.add(time.Minute)
			if _, _, err := s.Get(ctx, "a", nil); err != nil { // a is now the most recently used
				t.Fatal(err)
			}
			rep, err := s.GC(ctx, checkpoint.GCPolicy{MaxBytes: 2*size + size/2})
			if err != nil || !slices.Equal(rep.Deleted, []string{"b", "c"}) || rep.KeptBytes != 2*size {
				t.Fatalf("GC = %+v, %v; want b and c deleted", rep, err)
			}
		})
	}
}

func TestGCNotLastRun(t *testing.T) {
	c := newClock()
	for name, s := range stores(t, &checkpoint.Options{Now: c.now}) {
		t.Run(name, func(t *testing.T) {
			bg := context.Background()
			if _, err := s.GC(bg, checkpoint.GCPolicy{NotLastRun: true}); !errors.Is(err, checkpoint.ErrNoRunRecorded) {
				t.Fatalf("GC NotLastRun with no run recorded = %v, want ErrNoRunRecorded", err)
			}
			run1 := checkpoint.WithRun(bg, "run-1")
			for _, k := range []string{"x", "y", "z"} {
				s.Put(run1, k, 1.0, checkpoint.Meta{})
			}
			s.EndRun(bg, "run-1")
			c.add(time.Hour)
			run2 := checkpoint.WithRun(bg, "run-2")
			if _, _, err := s.Get(run2, "x", nil); err != nil { // run 2 restores x...
				t.Fatal(err)
			}
			s.Put(run2, "w", 2.0, checkpoint.Meta{}) // ...and writes w
			var rne *checkpoint.RunNotEndedError
			if _, err := s.GC(bg, checkpoint.GCPolicy{NotLastRun: true}); !errors.As(err, &rne) || rne.Run != "run-2" {
				t.Fatalf("GC NotLastRun while the last run has not ended = %v, want a *RunNotEndedError naming run-2", err)
			}
			s.EndRun(bg, "run-2")
			rep, err := s.GC(bg, checkpoint.GCPolicy{NotLastRun: true})
			if err != nil || rep.Run != "run-2" || !slices.Equal(rep.Deleted, []string{"y", "z"}) {
				t.Fatalf("GC = %+v, %v; want run-2 kept and y, z deleted", rep, err)
			}
			if rep.Records == 0 {
				t.Errorf("GC removed no record of run-1: %+v", rep)
			}
			if got := keys(t, s); !slices.Equal(got, []string{"w", "x"}) {
				t.Fatalf("after GC: %q", got)
			}
			// A named run overrides the most recent one.
			rep, err = s.GC(bg, checkpoint.GCPolicy{NotLastRun: true, Run: "run-1", DryRun: true})
			if err != nil || !slices.Equal(rep.Deleted, []string{"w"}) {
				t.Fatalf("GC for run-1 = %+v, %v; want w deleted (x was written by run-1, whose records are gone)", rep, err)
			}
			// A run the store knows nothing of (a mistyped id) would doom
			// everything: GC refuses and deletes nothing.
			rep, err = s.GC(bg, checkpoint.GCPolicy{NotLastRun: true, Run: "run-9"})
			if !errors.Is(err, checkpoint.ErrUnknownRun) || len(rep.Deleted) != 0 || !strings.Contains(err.Error(), `"run-9"`) {
				t.Fatalf("GC for unknown run-9 = %+v, %v; want ErrUnknownRun naming it, nothing deleted", rep, err)
			}
			if got := keys(t, s); !slices.Equal(got, []string{"w", "x"}) {
				t.Fatalf("after refused GC: %q", got)
			}
		})
	}
}

func TestGCRejectsNegativeLimits(t *testing.T) {
	for _, s := range stores(t, nil) {
		if _, err := s.GC(context.Background(), checkpoint.GCPolicy{MaxBytes: -1}); err == nil {
			t.Fatal("GC with MaxBytes -1 succeeded")
		}
		if _, err := s.GC(context.Background(), checkpoint.GCPolicy{}); errors.Is(err, checkpoint.ErrClosed) {
			t.Fatal(err)
		}
	}
}

// Reads gathered in memory reach the storage when the Store closes, so a
// later process's garbage collection keeps what the last run read.
func TestGCNotLastRunAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	url := "file://" + t.TempDir()
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
	a.EndRun(ctx, "run-1")
	a.Close()
	time.Sleep(10 * time.Millisecond) // run 2 starts after run 1
	b := open()
	if _, _, err := b.Get(checkpoint.WithRun(ctx, "run-2"), "x", nil); err != nil {
		t.Fatal(err)
	}
	b.EndRun(ctx, "run-2")
	b.Close()
	c := open()
	defer c.Close()
	rep, err := c.GC(ctx, checkpoint.GCPolicy{NotLastRun: true})
	if err != nil || rep.Run != "run-2" || !slices.Equal(rep.Deleted, []string{"y"}) {
		t.Fatalf("GC = %+v, %v; want run-2's read of x kept and y deleted", rep, err)
	}
}
