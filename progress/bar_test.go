package progress_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/progress"
)

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func block(i int) []float64 { return []float64{float64(i), 1, 2} }

func sumBlock(ctx context.Context, b []float64) (float64, error) {
	time.Sleep(time.Millisecond)
	s := 0.0
	for _, v := range b {
		s += v
	}
	return s, nil
}

func total(xs ...float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func fail(xs ...float64) (float64, error) { return 0, errors.New("boom") }

func newScheduler(l cairn.Listener) *cairn.Scheduler {
	return cairn.New(&cairn.Config{Parallelism: 4, Listeners: []cairn.Listener{l},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// seed builds 64 sums into one; sums with a restore hook are restored.
func seed(n int, restore bool, top any) *cairn.Thunk {
	var ys []any
	for i := range n {
		var o cairn.Options
		if restore && i%2 == 0 {
			o.Restore = func(context.Context, *cairn.Thunk) (cairn.Chunk, error) { return cairn.ToChunk(1.0), nil }
		}
		ys = append(ys, cairn.Delayed(sumBlock, o)(block(i)))
	}
	return cairn.Delayed(top)(ys...)
}

func TestBarWritesProgress(t *testing.T) {
	var buf syncBuffer
	bar := progress.New(&buf, &progress.Options{RefreshRate: 5 * time.Millisecond})
	s := newScheduler(bar)
	defer s.Close()
	ctx := context.Background()
	if _, err := cairn.Collect[float64](ctx, s, seed(64, false, total), cairn.RunOptions{Name: "seed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cairn.Collect[float64](ctx, s, seed(64, true, fail), cairn.RunOptions{Name: "again"}); err == nil {
		t.Fatal("run 2 succeeded; want fail's error")
	}
	fmt.Fprintln(bar.Output(nil), "a log line")
	bar.Wait()
	out := buf.String()
	for _, want := range []string{
		"a log line",
		"run 1 seed", "65/65", "65 done", "finished in",
		"run 2 again", "32 done", "32 restored", "1 failed", "failed in",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	bar.Close() // a second close is harmless
}

// TestBarConcurrentRuns runs several graphs at once through one bar; run
// with -race.
func TestBarConcurrentRuns(t *testing.T) {
	var buf syncBuffer
	bar := progress.New(&buf, &progress.Options{RefreshRate: time.Millisecond})
	s := newScheduler(bar)
	defer s.Close()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cairn.Collect[float64](context.Background(), s, seed(32, i%2 == 1, total),
				cairn.RunOptions{Name: fmt.Sprintf("r%d", i)})
		}()
	}
	wg.Wait()
	bar.Wait()
	out := buf.String()
	for i := range 4 {
		if !strings.Contains(out, fmt.Sprintf(" r%d ", i)) {
			t.Errorf("no bar for run r%d:\n%s", i, out)
		}
	}
	if got := strings.Count(out, "33/33"); got < 4 {
		t.Errorf("%d complete bars, want 4:\n%s", got, out)
	}
}

// TestBarCloseDuringRun closes the bar while a run goes on: the run is
// unaffected and later events are ignored.
func TestBarCloseDuringRun(t *testing.T) {
	var buf syncBuffer
	bar := progress.New(&buf, nil)
	s := newScheduler(bar)
	defer s.Close()
	started := make(chan struct{})
	release := make(chan struct{})
	slow := func(x float64) float64 {
		close(started)
		<-release
		return x
	}
	done := make(chan error)
	go func() {
		_, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(slow)(1.0))
		done <- err
	}()
	<-started
	if err := bar.Close(); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "0/1") || !strings.Contains(out, "1 running") {
		t.Errorf("want the run drawn as it stood when closed (0/1, 1 running):\n%s", out)
	}
}

func TestFinalRestoredRun(t *testing.T) {
	var buf syncBuffer
	bar := progress.New(&buf, nil)
	s := newScheduler(bar)
	defer s.Close()
	_, err := cairn.Collect[float64](context.Background(), s, seed(4, false, total), cairn.RunOptions{
		Name:    "cached",
		Restore: func(context.Context) (cairn.Chunk, error) { return cairn.ToChunk(7.0), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	bar.Wait()
	if out := buf.String(); !strings.Contains(out, "run 1 cached: final result restored") {
		t.Errorf("output: %q", out)
	}
}

func TestNilBar(t *testing.T) {
	var bar *progress.Bar
	bar.OnEvent(cairn.Event{Kind: cairn.RunStarted})
	if n, err := bar.Write([]byte("x")); n != 1 || err != nil {
		t.Errorf("Write on nil: %d, %v", n, err)
	}
	bar.Wait()
	if err := bar.Close(); err != nil {
		t.Error(err)
	}
	if w := bar.Output(os.Stderr); w != os.Stderr {
		t.Errorf("Output of a nil bar = %v, want the fallback", w)
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if b := progress.Auto(f); b != nil {
		t.Error("Auto gave a bar for a plain file; want nil")
	}
	if b := progress.Auto(nil); b != nil {
		t.Error("Auto(nil) gave a bar; want nil")
	}
}

func blockUntilCancelled(ctx context.Context, started chan<- struct{}) (int, error) {
	started <- struct{}{}
	<-ctx.Done()
	return 0, ctx.Err()
}

// TestCancelledRun: a task cancelled with its run reports no end; the bar
// still ends without it.
func TestCancelledRun(t *testing.T) {
	var buf syncBuffer
	bar := progress.New(&buf, nil)
	s := newScheduler(bar)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 1)
	done := make(chan error)
	go func() {
		_, err := cairn.Collect[int](ctx, s, cairn.Delayed(blockUntilCancelled)(started), cairn.RunOptions{Name: "cancelled"})
		done <- err
	}()
	<-started
	cancel()
	<-done
	bar.Wait()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	last := lines[len(lines)-1] // the final state; earlier redraws may show it running
	if !strings.Contains(last, "run 1 cancelled") || !strings.Contains(last, "failed in") || strings.Contains(last, "running") {
		t.Errorf("want the run drawn as failed, nothing running: %q", last)
	}
}
