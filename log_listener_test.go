package cairn_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/cairnlabs/cairn"
)

func llDouble(x float64) float64 { return 2 * x }

func llFail(x float64) (float64, error) { return 0, errors.New("boom") }

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a handler.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// logLines runs f with a scheduler whose only output is a log listener at
// debug level, and returns its lines, decoded.
func logLines(t *testing.T, f func(s *cairn.Scheduler)) []map[string]any {
	t.Helper()
	var buf syncBuffer
	l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := cairn.New(&cairn.Config{Parallelism: 2, Logger: discard(),
		Listeners: []cairn.Listener{cairn.NewLogListener(l)}})
	f(s)
	s.Close()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.b.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func find(lines []map[string]any, msg, thunk string) map[string]any {
	for _, l := range lines {
		if l["msg"] == msg && (thunk == "" || l["thunk"] == thunk) {
			return l
		}
	}
	return nil
}

func TestLogListener(t *testing.T) {
	ctx := context.Background()
	restored := cairn.Delayed(llDouble, cairn.Options{Name: "restored",
		Restore: func(context.Context, *cairn.Thunk) (cairn.Chunk, error) { return cairn.ToChunk(21.0), nil }})(1.0)
	broken := cairn.Delayed(llDouble, cairn.Options{Name: "broken-restore",
		Restore:    func(context.Context, *cairn.Thunk) (cairn.Chunk, error) { return nil, errors.New("corrupt") },
		Checkpoint: func(context.Context, *cairn.Thunk, cairn.Chunk) error { return nil }})(2.0)
	unsaved := cairn.Delayed(llDouble, cairn.Options{Name: "unsaved",
		Checkpoint: func(context.Context, *cairn.Thunk, cairn.Chunk) error { return errors.New("disk full") }})(3.0)
	fail := cairn.Delayed(llFail, cairn.Options{Name: "fail"})(cairn.Delayed(innerFixed)(restored, broken, unsaved))

	lines := logLines(t, func(s *cairn.Scheduler) {
		if _, err := cairn.Collect[float64](ctx, s, fail, cairn.RunOptions{Name: "test-run"}); err == nil {
			t.Error("the run succeeded; want fail's error")
		}
	})
	for _, want := range []struct {
		msg, thunk, level string
		attrs             []string
	}{
		{"cairn: run started", "", "INFO", []string{"run", "run_name", "thunks"}},
		{"cairn: thunk restored", "restored", "DEBUG", []string{"run", "id", "duration"}},
		{"cairn: restore failed", "broken-restore", "WARN", []string{"id", "err"}},
		{"cairn: thunk started", "unsaved", "DEBUG", []string{"slot"}},
		{"cairn: thunk finished", "broken-restore", "DEBUG", []string{"slot", "duration"}},
		{"cairn: thunk checkpointed", "broken-restore", "DEBUG", []string{"duration"}},
		{"cairn: checkpoint failed", "unsaved", "WARN", []string{"err"}},
		{"cairn: thunk failed", "fail", "ERROR", []string{"slot", "attempt", "err", "duration"}},
		{"cairn: run finished", "", "ERROR", []string{"stats", "err", "duration"}},
	} {
		l := find(lines, want.msg, want.thunk)
		if l == nil {
			t.Errorf("no %q line for %q", want.msg, want.thunk)
			continue
		}
		if l["level"] != want.level {
			t.Errorf("%q for %q at level %v, want %s", want.msg, want.thunk, l["level"], want.level)
		}
		for _, a := range want.attrs {
			if _, ok := l[a]; !ok {
				t.Errorf("%q for %q has no %q attribute: %v", want.msg, want.thunk, a, l)
			}
		}
		if l["run_name"] != "test-run" {
			t.Errorf("%q: run_name = %v, want test-run", want.msg, l["run_name"])
		}
	}
	fin := find(lines, "cairn: run finished", "")
	if st, _ := fin["stats"].(map[string]any); st == nil || st["restored"] != 1.0 || st["failed"] != 1.0 {
		t.Errorf("run finished: stats %v, want 1 restored and 1 failed", fin["stats"])
	}
}

func TestLogListenerRespectsLevel(t *testing.T) {
	var buf syncBuffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{cairn.NewLogListener(l)}})
	defer s.Close()
	if _, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(llDouble)(1.0)); err != nil {
		t.Fatal(err)
	}
	out := buf.b.String()
	if strings.Contains(out, "thunk finished") || strings.Count(out, "\n") != 2 {
		t.Errorf("at info level, want only the run's two lines:\n%s", out)
	}
}

func ExampleNewLogListener() {
	// Drop the time and durations so that the output is the same each run.
	drop := func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == "duration" {
			return slog.Attr{}
		}
		return a
	}
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: drop}))
	s := cairn.New(&cairn.Config{Listeners: []cairn.Listener{cairn.NewLogListener(log)}})
	defer s.Close()
	cairn.Collect[float64](context.Background(), s, cairn.Delayed(llDouble)(21.0), cairn.RunOptions{Name: "double"})
	// Output:
	// level=INFO msg="cairn: run started" run=1 run_name=double thunks=1
	// level=INFO msg="cairn: run finished" run=1 run_name=double stats.thunks=1 stats.computed=1 stats.restored=0 stats.pruned=0 stats.failed=0 stats.skipped=0 stats.checkpointed=0 stats.checkpoint_failed=0 stats.restore_failed=0 stats.lost=0 stats.recomputed=0 stats.bytes_written=0 stats.bytes_read=0 stats.final_restored=false
}
