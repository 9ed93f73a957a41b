package progress_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/progress"
)

func one() float64 { return 1 }

// A thunk whose required checkpoint fails gets ThunkFinished then
// ThunkFailed: the bar must not count it as both done and failed.
func TestRegressionRequiredCheckpointCountedTwice(t *testing.T) {
	var buf syncBuffer
	bar := progress.New(&buf, nil)
	s := newScheduler(bar)
	defer s.Close()
	o := cairn.Options{CheckpointRequired: true, Checkpoint: func(context.Context, *cairn.Thunk, cairn.Chunk) error {
		return errors.New("disk full")
	}}
	_, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(one, o)())
	if err == nil {
		t.Fatal("want error")
	}
	bar.Wait()
	out := buf.String()
	t.Logf("%q", out)
	if strings.Contains(out, "1 done") && strings.Contains(out, "1 failed") {
		t.Fatalf("one thunk shown as both done and failed: %q", out)
	}
}

func TestRegressionManyRunsRedrawAll(t *testing.T) {
	var buf syncBuffer
	bar := progress.New(&buf, &progress.Options{RefreshRate: 20 * 1e6})
	s := newScheduler(bar)
	defer s.Close()
	for i := 0; i < 400; i++ {
		if _, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(one)()); err != nil {
			t.Fatal(err)
		}
	}
	before := len(buf.String())
	time.Sleep(100 * time.Millisecond)
	after := len(buf.String())
	bar.Close()
	t.Logf("bytes written in 100ms idle after 1000 finished runs: %d", after-before)
	if after-before > 20000 {
		t.Errorf("finished runs are redrawn at every refresh: %d bytes in 100ms of idleness", after-before)
	}
}

// On a writer that is not a terminal (a CI log), each finished run was
// printed twice: once as a plain line and once as mpb's last frame of its
// bar. Now runs are plain lines only, each finished run's exactly once.
func TestRegressionPlainOutputPrintsRunsOnce(t *testing.T) {
	var buf syncBuffer
	bar := progress.New(&buf, &progress.Options{RefreshRate: time.Hour})
	s := newScheduler(bar)
	defer s.Close()
	ctx := context.Background()
	if _, err := cairn.Collect[float64](ctx, s, seed(8, false, total), cairn.RunOptions{Name: "first"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cairn.Collect[float64](ctx, s, seed(8, true, fail), cairn.RunOptions{Name: "second"}); err == nil {
		t.Fatal("run 2 succeeded; want fail's error")
	}
	fmt.Fprintln(bar.Output(nil), "a log line")
	bar.Wait()
	out := buf.String()
	for _, want := range []string{"run 1 first 9/9 9 done · finished in", "run 2 second 9/9 ", "4 restored", "1 failed · failed in", "a log line\n"} {
		if strings.Count(out, want) != 1 {
			t.Errorf("%q appears %d times, want once:\n%s", want, strings.Count(out, want), out)
		}
	}
	if strings.ContainsAny(out, "[]=") {
		t.Errorf("a bar was drawn on a writer that is not a terminal:\n%s", out)
	}
}
