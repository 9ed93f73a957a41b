package progress_test

import (
	"context"
	"errors"
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
