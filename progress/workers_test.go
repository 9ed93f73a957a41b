package progress_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/exec"
	"github.com/cairnlabs/cairn/progress"
)

// clusterRun feeds bar the events of a cluster run as the scheduler sends
// them: four sums and a total on workers w0 and w1; w1 dies running two
// sums, which are lost and run again on w0, and sum[1], whose value w1
// held, is made again; the total's first attempt is lost before it starts
// (its inputs were gone). With stop, the run stops there, the total
// running.
func clusterRun(bar *progress.Bar, stop bool) {
	var ys []*cairn.Thunk
	for i := range 4 {
		ys = append(ys, cairn.Delayed(sumBlock, cairn.Options{Name: fmt.Sprintf("sum[%d]", i)})(block(i)))
	}
	z := cairn.Delayed(total, cairn.Options{Name: "total"})(cairn.Args(ys)...)
	now := time.Now()
	ev := func(k cairn.EventKind, th *cairn.Thunk, slot int, worker string, attempt int, err error) {
		now = now.Add(time.Millisecond)
		bar.OnEvent(cairn.Event{Kind: k, Time: now, Run: 1, RunName: "cluster", Thunk: th, Slot: slot,
			Worker: worker, Attempt: attempt, Err: err, Duration: time.Millisecond})
	}
	bar.OnEvent(cairn.Event{Kind: cairn.RunStarted, Time: now, Run: 1, RunName: "cluster", Thunks: append(ys, z)})
	for i, y := range ys {
		ev(cairn.ThunkStarted, y, i, "", 1, nil)
	}
	ev(cairn.ThunkFinished, ys[0], 0, "w0", 1, nil)
	ev(cairn.ThunkFinished, ys[1], 1, "w1", 1, nil)
	died := &exec.LostError{Worker: "w1", Err: errors.New("the worker exited")}
	ev(cairn.ThunkLost, ys[2], 2, "w1", 1, died)
	ev(cairn.ThunkLost, ys[3], 3, "w1", 1, died)
	for i, y := range ys[1:] {
		ev(cairn.ThunkStarted, y, i, "", 2, nil)
		ev(cairn.ThunkFinished, y, i, "w0", 2, nil)
	}
	ev(cairn.ThunkLost, z, 0, "w1", 1, &exec.LostError{Worker: "w1", Inputs: []int{1}, Err: errors.New("held by a worker that is gone")})
	ev(cairn.ThunkStarted, z, 0, "", 2, nil)
	if stop {
		return
	}
	ev(cairn.ThunkFinished, z, 0, "w0", 2, nil)
	bar.OnEvent(cairn.Event{Kind: cairn.RunFinished, Time: now, Run: 1, RunName: "cluster", Duration: time.Second,
		Stats: &cairn.RunStats{Thunks: 5, Computed: 6, Lost: 3, Recomputed: 1}})
}

// TestBarWorkers: on a writer that is not a terminal, a cluster run's line
// says how many workers its tasks ran on and how many executions were
// lost, and counts each thunk once however often it ran; a local run's
// says nothing of workers.
func TestBarWorkers(t *testing.T) {
	var buf syncBuffer
	bar := progress.New(&buf, &progress.Options{RefreshRate: time.Hour})
	clusterRun(bar, false)
	bar.Wait()
	if out, want := buf.String(), "run 1 cluster 5/5 5 done · 2 workers · 3 lost · finished in 1s\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}

	// Stopped with the total running: a loss before a start is not an end.
	buf = syncBuffer{}
	bar = progress.New(&buf, &progress.Options{RefreshRate: time.Hour})
	clusterRun(bar, true)
	bar.Close()
	if out := buf.String(); !strings.HasPrefix(out, "run 1 cluster 4/5 4 done · 1 running · 2 workers · 3 lost · ") || !strings.HasSuffix(out, " · stopped\n") {
		t.Errorf("output %q, want 4/5 done, 1 running, 2 workers, 3 lost, stopped", out)
	}

	// A local run names no worker: its line says nothing of workers.
	buf = syncBuffer{}
	bar = progress.New(&buf, &progress.Options{RefreshRate: time.Hour})
	s := newScheduler(bar)
	defer s.Close()
	if _, err := cairn.Collect[float64](t.Context(), s, seed(8, false, total)); err != nil {
		t.Fatal(err)
	}
	bar.Wait()
	if out := buf.String(); strings.Contains(out, "worker") || strings.Contains(out, "lost") || !strings.Contains(out, "9/9 9 done · finished") {
		t.Errorf("local run: output %q, want 9 done and nothing of workers", out)
	}
}

// TestBarWorkersTerminal draws a cluster run's bar on a real terminal (a
// pseudo-terminal): the bar says how many workers and lost executions.
func TestBarWorkersTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 160}); err != nil {
		t.Fatal(err)
	}
	screen := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(ptmx) // until the terminal is closed
		screen <- b
	}()
	bar := progress.New(tty, &progress.Options{RefreshRate: 5 * time.Millisecond})
	clusterRun(bar, false)
	bar.Wait()
	tty.Close()
	var out []byte
	select {
	case out = <-screen:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal's output did not end")
	}
	text := regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`).ReplaceAll(out, nil)
	if !bytes.Contains(text, []byte("5 done · 2 workers · 3 lost · finished in 1s")) {
		t.Errorf("the terminal shows %q, want 5 done, 2 workers, 3 lost", text)
	}
}
