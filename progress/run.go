package progress

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// run is the bar of one run; its counters are written by OnEvent and read
// by the drawing goroutine.
type run struct {
	label string // "run 3 name"
	id    uint64
	name  string
	total int64
	start time.Time
	bar   *mpb.Bar

	done, running, restored, failed, pruned, skipped, checkpointed atomic.Int64
	finished                                                       atomic.Bool
	took                                                           atomic.Int64 // duration once finished
	failedRun                                                      atomic.Bool
}

// completed counts thunks that have nothing left to do.
func (r *run) completed() int64 {
	return r.done.Load() + r.restored.Load() + r.failed.Load() + r.pruned.Load() + r.skipped.Load()
}

// counters is "completed/total", from the live counts: the bar itself
// moves at each redraw.
func (r *run) counters(decor.Statistics) string {
	return fmt.Sprintf("%d/%d", min(r.completed(), r.total), r.total)
}

// describe is the text after the bar.
func (r *run) describe(decor.Statistics) string {
	var parts []string
	add := func(n int64, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	done := r.done.Load()
	parts = append(parts, fmt.Sprintf("%d done", done))
	add(r.running.Load(), "running")
	add(r.restored.Load(), "restored")
	add(r.pruned.Load(), "pruned")
	add(r.failed.Load(), "failed")
	add(r.skipped.Load(), "skipped")
	if r.finished.Load() {
		took := time.Duration(r.took.Load())
		verb := "finished"
		if r.failedRun.Load() {
			verb = "failed"
		}
		return strings.Join(parts, " · ") + fmt.Sprintf(" · %s in %s", verb, round(took))
	}
	el := time.Since(r.start)
	c := r.completed()
	if c > 0 && el > 0 {
		rate := float64(c) / el.Seconds()
		eta := time.Duration(float64(r.total-c) / rate * float64(time.Second))
		parts = append(parts, fmt.Sprintf("%.1f/s", rate), "ETA "+round(eta))
	} else {
		parts = append(parts, "ETA —")
	}
	return strings.Join(parts, " · ")
}

// line is the run's state as one plain line.
func (r *run) line() string {
	return fmt.Sprintf("%s %d/%d %s", r.label, min(r.completed(), r.total), r.total, r.describe(decor.Statistics{}))
}

// round shortens a duration for display: 1.2s, 340ms, 2m5s.
func round(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}
