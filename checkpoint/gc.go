package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// tempGrace is how old the leftovers of an interrupted Put must be before
// garbage collection removes them, so that it never races a slow writer.
const tempGrace = time.Hour

// GCPolicy says which checkpoints garbage collection deletes. An entry is
// deleted when any of the set criteria selects it; the zero policy deletes
// no checkpoint (but still removes the leftovers of interrupted writes).
type GCPolicy struct {
	// OlderThan deletes entries neither written nor read (where the driver
	// records reads, driver.Toucher) within this long. Zero: no age limit.
	OlderThan time.Duration

	// MaxBytes then deletes the least recently used entries (by the same
	// time as OlderThan) until the entries left take at most this many
	// bytes. Zero: no size limit.
	MaxBytes int64

	// NotLastRun deletes entries neither written nor read by the most
	// recent run: the run, passed with WithRun, that first used the store
	// last. GC fails if no run was ever recorded.
	NotLastRun bool

	// Run, if set, is the run that NotLastRun keeps instead of the most
	// recent one. GC refuses a run the store knows nothing of (no run
	// record, no checkpoint it wrote or read), which would delete every
	// checkpoint: see ErrUnknownRun.
	Run string

	// Prefix limits garbage collection to keys with this prefix.
	Prefix string

	// DryRun reports what would be deleted, and deletes nothing.
	DryRun bool
}

// ErrNoRunRecorded is matched (with errors.Is) by the error of GC with
// NotLastRun and no Run when the store holds no run record, so that the
// last run is unknown.
var ErrNoRunRecorded = errors.New("checkpoint: gc: no run is recorded in this store, so the last run is unknown")

// ErrUnknownRun is matched (with errors.Is) by the error of GC with
// NotLastRun and a Run that the store knows nothing of: no run record and
// no checkpoint written by it. Keeping that run's checkpoints would delete
// every checkpoint, which a mistyped run id should not do; GC deletes
// nothing.
var ErrUnknownRun = errors.New("checkpoint: gc: the run to keep is unknown to this store")

// RunNotEndedError is the error of GC with NotLastRun and no Run when the
// most recent run has not ended (it is still going, or it was killed): what
// it read may not all be recorded yet, so GC deletes nothing.
type RunNotEndedError struct {
	// Run is the most recent run.
	Run string
}

// Error says which run has not ended and what to do.
func (e *RunNotEndedError) Error() string {
	return fmt.Sprintf("checkpoint: gc: the last run, %s, has not ended (it is still going, or it was killed), so what it read may not all be recorded; collect once it has ended, or name a run with GCPolicy.Run", e.Run)
}

// GCReport says what garbage collection did (or, for a dry run, would do).
type GCReport struct {
	// Run is the run that NotLastRun kept.
	Run string
	// Scanned and ScannedBytes count the entries examined.
	Scanned      int
	ScannedBytes int64
	// Deleted lists the deleted keys; DeletedBytes is their total size.
	Deleted      []string
	DeletedBytes int64
	// Kept and KeptBytes count the entries left.
	Kept      int
	KeptBytes int64
	// Swept and SweptBytes count the leftovers removed (driver.Sweeper):
	// temporary files of interrupted writes, and pack files none of whose
	// records matter any more (a file store's small entries).
	Swept      int
	SweptBytes int64
	// Records counts the run records removed.
	Records int
}

// GC deletes the checkpoints that the policy selects, the run records of
// runs it no longer needs, and the leftovers of writes interrupted over an
// hour ago. Run while other processes write the store, it may delete an
// entry rewritten since it was examined: that costs a recomputation, never a
// wrong result. On error the report says what was done so far.
func (s *Store) GC(ctx context.Context, p GCPolicy) (GCReport, error) {
	var rep GCReport
	if s.closed.Load() {
		return rep, ErrClosed
	}
	if p.OlderThan < 0 || p.MaxBytes < 0 {
		return rep, fmt.Errorf("checkpoint: gc: negative OlderThan (%v) or MaxBytes (%d); use 0 for no limit", p.OlderThan, p.MaxBytes)
	}
	s.FlushReads(ctx)
	now := s.now()
	if sw, ok := s.d.(driver.Sweeper); ok && !p.DryRun {
		n, size, err := sw.Sweep(ctx, now.Add(-tempGrace))
		rep.Swept, rep.SweptBytes = n, size
		if err != nil {
			return rep, fmt.Errorf("checkpoint: gc: sweep: %w", err)
		}
	}
	attrs, err := s.listAttrs(ctx, p.Prefix)
	if err != nil {
		return rep, err
	}
	var rs *runs
	if p.NotLastRun || (p.OlderThan > 0 && p.Prefix == "") {
		if rs, err = s.readRuns(ctx); err != nil {
			return rep, err
		}
	}
	doomed := make(map[string]bool)
	if p.NotLastRun {
		rep.Run = p.Run
		if rep.Run == "" {
			rec, ok := rs.latest()
			if !ok {
				return rep, fmt.Errorf("%w; runs are recorded when Put and Get contexts carry checkpoint.WithRun (or name one with GCPolicy.Run)", ErrNoRunRecorded)
			}
			if !rs.ended[runPrefix(rec.Run)] {
				return rep, &RunNotEndedError{Run: rec.Run}
			}
			rep.Run = rec.Run
		}
		_, known := rs.heads[runPrefix(rep.Run)]
		for _, a := range attrs {
			info, err := s.readInfo(ctx, a)
			if errors.Is(err, fs.ErrNotExist) || ctx.Err() != nil {
				continue
			}
			// A corrupt entry was neither written nor read whole by any run.
			if err != nil || (info.Run != rep.Run && !rs.read(rep.Run, a.Key)) {
				doomed[a.Key] = true
			} else {
				known = true
			}
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if !known {
			// Going on would delete every checkpoint examined and, below,
			// every other run's records.
			return rep, fmt.Errorf("%w: %q has no run record here and wrote or read none of the checkpoints GC examined (%d), so keeping its checkpoints would delete them all; check the run id (the run column of `cairn ckpt ls`, or Info.Run)", ErrUnknownRun, rep.Run, len(attrs))
		}
	}
	cutoff := now.Add(-p.OlderThan)
	var live []driver.Attrs
	var liveBytes int64
	for _, a := range attrs {
		rep.Scanned++
		rep.ScannedBytes += a.Size
		if p.OlderThan > 0 && a.ModTime.Before(cutoff) {
			doomed[a.Key] = true
		}
		if !doomed[a.Key] {
			live = append(live, a)
			liveBytes += a.Size
		}
	}
	if p.MaxBytes > 0 && liveBytes > p.MaxBytes {
		slices.SortFunc(live, func(a, b driver.Attrs) int { return a.ModTime.Compare(b.ModTime) })
		for _, a := range live {
			if liveBytes <= p.MaxBytes {
				break
			}
			doomed[a.Key] = true
			liveBytes -= a.Size
		}
	}
	for _, a := range attrs {
		if !doomed[a.Key] {
			rep.Kept++
			rep.KeptBytes += a.Size
			continue
		}
		if !p.DryRun {
			if err := s.d.Delete(ctx, a.Key); err != nil {
				return rep, wrapErr("gc: delete", a.Key, err)
			}
		}
		rep.Deleted = append(rep.Deleted, a.Key)
		rep.DeletedBytes += a.Size
	}
	slices.Sort(rep.Deleted)
	if rs != nil && p.Prefix == "" {
		if err := s.gcRecords(ctx, p, rs, rep.Run, cutoff, &rep); err != nil {
			return rep, err
		}
	}
	// What was just deleted may have left whole pack files dead.
	if sw, ok := s.d.(driver.Sweeper); ok && !p.DryRun && (len(rep.Deleted) > 0 || rep.Records > 0) {
		n, size, err := sw.Sweep(ctx, now.Add(-tempGrace))
		rep.Swept, rep.SweptBytes = rep.Swept+n, rep.SweptBytes+size
		if err != nil {
			return rep, fmt.Errorf("checkpoint: gc: sweep: %w", err)
		}
	}
	return rep, nil
}

// gcRecords deletes the run records that garbage collection no longer needs:
// every other run's under NotLastRun, and those older than the cutoff under
// OlderThan (but never the most recent run's own record).
func (s *Store) gcRecords(ctx context.Context, p GCPolicy, rs *runs, keep string, cutoff time.Time, rep *GCReport) error {
	if latest, ok := rs.latest(); ok && keep == "" {
		keep = latest.Run // all its records, not only its head
	}
	for _, a := range rs.attrs {
		mine := keep != "" && strings.HasPrefix(a.Key, runPrefix(keep))
		drop := p.NotLastRun && !mine
		if p.OlderThan > 0 && a.ModTime.Before(cutoff) && !mine {
			drop = true
		}
		if !drop {
			continue
		}
		if !p.DryRun {
			if err := s.d.Delete(ctx, a.Key); err != nil {
				return wrapErr("gc: delete", a.Key, err)
			}
		}
		rep.Records++
	}
	return nil
}
