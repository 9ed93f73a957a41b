package dash_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/dash"
	"github.com/cairnlabs/cairn/exec"
)

// workers64 feeds d a running cluster run on 64 workers, two slots each:
// every worker runs four sums, two at a time; w17 dies running its second
// pair, which w18 runs again; the last three sums are still in flight.
func workers64(d *dash.Dashboard) {
	const workers, per = 64, 4
	var ys []*cairn.Thunk
	for i := range workers * per {
		ys = append(ys, cairn.Delayed(sumBlock, cairn.Options{Name: fmt.Sprintf("sum[%d]", i)})([]float64{float64(i)}, time.Duration(0)))
	}
	z := cairn.Delayed(innerFixed, cairn.Options{Name: "total"})(anys(ys)...)
	base := time.Now().Add(-4 * time.Second)
	d.OnEvent(cairn.Event{Kind: cairn.RunStarted, Time: base, Run: 1, RunName: "64 workers", Thunks: append(ys, z)})
	ev := func(k cairn.EventKind, th *cairn.Thunk, at time.Duration, slot int, worker string, ran time.Duration, err error) {
		d.OnEvent(cairn.Event{Kind: k, Time: base.Add(at), Run: 1, Thunk: th, Slot: slot, Worker: worker, Duration: ran, Err: err})
	}
	died := &exec.LostError{Worker: "w17", Err: errors.New("the worker exited: signal: killed")}
	for i, y := range ys {
		w, j := i/per, i%per
		slot := 2*w + j%2
		start := time.Duration(j/2)*time.Second + time.Duration(w)*7*time.Millisecond
		name := fmt.Sprintf("w%d", w)
		if i >= len(ys)-3 { // in flight: two slots more on w63
			slot = 2*workers + i - (len(ys) - 3)
		}
		ev(cairn.ThunkStarted, y, start, slot, "", 0, nil)
		switch {
		case i >= len(ys)-3:
		case w == 17 && j >= 2:
			ev(cairn.ThunkLost, y, start+500*time.Millisecond, slot, name, 0, died)
			ev(cairn.ThunkStarted, y, 2*time.Second+time.Duration(j)*time.Millisecond, slot, "", 0, nil)
			ev(cairn.ThunkFinished, y, 2*time.Second+400*time.Millisecond, slot, "w18", 300*time.Millisecond, nil)
		default:
			ev(cairn.ThunkFinished, y, start+800*time.Millisecond, slot, name, 700*time.Millisecond, nil)
		}
	}
}

// TestBrowserWorkers shows a cluster run of 64 workers: the task stream
// has a labelled group per worker (and one for tasks in flight) within a
// bounded height, lost executions are drawn apart from failures, the
// Workers card and panel count what each worker did, and each thunk's
// tooltip names its worker. With CAIRN_SCREENSHOT set it saves
// name-workers64.png.
func TestBrowserWorkers(t *testing.T) {
	ctx := browser(t)
	d := dash.New(&dash.Options{Title: "64 workers", Interval: 50 * time.Millisecond})
	srv := httptest.NewServer(d)
	defer srv.Close()
	defer d.Close()
	workers64(d)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the Workers card", `document.querySelector('#card-workers .v') !== null`)
	if v := evalString(t, ctx, `document.querySelector('#card-workers .v').textContent + ' | ' + document.querySelector('#card-workers .s').textContent`); v != "63 | 1 gone · 2 lost" {
		t.Errorf("Workers card %q, want \"63 | 1 gone · 2 lost\"", v)
	}
	if n := evalInt(t, ctx, `document.querySelectorAll('#stream rect.lane[data-worker]').length`); n != 65 {
		t.Errorf("%d worker groups in the task stream, want 64 and in flight", n)
	}
	if h := evalInt(t, ctx, `document.getElementById('stream').getBoundingClientRect().height`); h > 820 {
		t.Errorf("the task stream of 64 workers is %d pixels high, want at most 820", h)
	}
	// Every group is labelled, legibly, and no two labels overlap.
	labels := evalString(t, ctx, `(() => {
		const ls = [...document.querySelectorAll('#stream .lanelabel')].map(e => ({t: e.firstChild.textContent, b: e.getBBox(), f: parseFloat(e.style.fontSize)}));
		const bad = [];
		ls.sort((a, b) => a.b.y - b.b.y);
		ls.forEach((l, i) => {
			if (l.f < 6) bad.push(l.t + ' is ' + l.f + 'px');
			if (i > 0 && ls[i-1].b.y + ls[i-1].b.height > l.b.y + 0.5) bad.push(ls[i-1].t + ' overlaps ' + l.t);
		});
		return ls.length + ' ' + bad.join(', ');
	})()`)
	if labels != "65 " {
		t.Errorf("task stream labels: %q, want 65 and no problem", labels)
	}
	if got := evalString(t, ctx, `[...document.querySelectorAll('#stream rect.task.lost')].map(r => r.dataset.worker + ' ' + r.getAttribute('fill')).join(', ')`); got != "w17 url(#lost-hatch), w17 url(#lost-hatch)" {
		t.Errorf("lost tasks in the stream: %q, want two on w17, hatched", got)
	}
	if n := evalInt(t, ctx, `document.querySelectorAll('#stream rect.task.failed').length`); n != 0 {
		t.Errorf("%d failed tasks in the stream, want none: a loss is not a failure", n)
	}
	if n := evalInt(t, ctx, `document.querySelectorAll('#stream rect.task.running').length`); n != 3 {
		t.Errorf("%d tasks in flight in the stream, want 3", n)
	}
	if got := evalString(t, ctx, `document.getElementById('legend-lost').textContent`); !strings.HasPrefix(got, "2 lost") {
		t.Errorf("the stream's legend says %q, want 2 lost", got)
	}
	// The Workers panel: one row per worker, in numeric order, w17 gone.
	rows := evalString(t, ctx, `[...document.querySelectorAll('#workers tr')].map(r => r.dataset.worker).join(' ')`)
	if !strings.HasPrefix(rows, "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 ") || len(strings.Fields(rows)) != 64 {
		t.Errorf("Workers panel rows %q, want w0 to w63 in numeric order", rows)
	}
	if got := evalString(t, ctx, `[...document.querySelectorAll('#workers tr[data-worker=w17] td, #workers tr[data-worker=w18] td')].map(e => e.textContent).join('|')`); got != "w17gone|2|0|2|0|1.40 s|w18|6|0|0|0|3.40 s" {
		t.Errorf("w17 and w18 rows: %q", got)
	}
	// Each thunk's tooltip says where it ran.
	if n := evalInt(t, ctx, `document.querySelectorAll('#graph rect[data-worker]').length`); n != 253 {
		t.Errorf("%d graph nodes name their worker, want 253 (all sums but the 3 in flight)", n)
	}
	if tip := evalString(t, ctx, `document.querySelectorAll('#graph rect.node')[70].querySelector('title').textContent`); tip != "sum[70] — done · worker w18" {
		t.Errorf("sum[70]'s tooltip %q", tip)
	}
	if shot := os.Getenv("CAIRN_SCREENSHOT"); shot != "" {
		screenshot(t, ctx, strings.TrimSuffix(shot, filepath.Ext(shot))+"-workers64"+filepath.Ext(shot))
	}
}

func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}
