package dash_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/dash"
)

// seedRuns runs the seed story under d as `cairn demo` does: run 1 fails in
// inner, run 2 restores the sums (four restores fail), run 3 restores the
// final result and looks at no graph.
func seedRuns(t *testing.T, d *dash.Dashboard) {
	t.Helper()
	s := cairn.New(&cairn.Config{Parallelism: 2, Listeners: []cairn.Listener{d},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()
	ctx := context.Background()
	w := newSeedWork(16, 256, time.Millisecond, time.Millisecond)
	if _, err := cairn.Collect[float64](ctx, s, cairn.Delayed(inner)(anys(w.Y)...), cairn.RunOptions{Name: "buggy inner"}); err == nil {
		t.Fatal("run 1 succeeded, want inner's DomainError")
	}
	w.lose(nil, []int{1, 5, 9, 13})
	var final cairn.Chunk
	opts := cairn.RunOptions{Name: "fixed inner",
		Checkpoint: func(_ context.Context, c cairn.Chunk) error { final = c; return nil },
		Restore:    func(context.Context) (cairn.Chunk, error) { return final, nil }}
	for run := 2; run <= 3; run++ {
		if _, err := cairn.Collect[float64](ctx, s, cairn.Delayed(innerFixed)(anys(w.Y)...), opts); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
	}
}

// TestBrowserEveryRun opens the dashboard after the seed story's three
// runs, as `cairn demo --dash --dash-wait` leaves it: the page opens on the
// run with the most work, not on run 3 (no graph, the final result
// restored); ?run=N names a run; and for every run each link on the page
// answers 200, no card subtitle is cut off, and the task stream's axis
// labels are distinct, in a unit that suits the run's span. With
// CAIRN_SCREENSHOT_DIR set it saves a screenshot of each run there.
func TestBrowserEveryRun(t *testing.T) {
	ctx := browser(t)
	d := dash.New(&dash.Options{Title: "cairn demo", Interval: 50 * time.Millisecond})
	srv := httptest.NewServer(d)
	defer srv.Close()
	defer d.Close()
	seedRuns(t, d)

	// A laptop's width: eight cards in a row, each about 110 pixels wide.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the page to open on run 1, which did the most work", `document.body.dataset.run === '1'`)
	if u, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search`)); err != nil || u != "?run=1" {
		t.Errorf("the page's URL says %q (%v), want ?run=1", u, err)
	}
	for run := 1; run <= 3; run++ {
		if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/?run=%d", srv.URL, run))); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, fmt.Sprintf("run %d", run), fmt.Sprintf(`document.body.dataset.run === '%d' && document.getElementById('conn').textContent === 'live'`, run))
		waitJS(t, ctx, "the task stream", `document.querySelectorAll('#stream .ticklabel').length > 0 || document.querySelector('#fn-legend .none') !== null`)
		time.Sleep(150 * time.Millisecond) // let an update or two paint

		hrefs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a[href]')].map(a => a.href)`))
		if err != nil || len(hrefs) == 0 {
			t.Fatalf("run %d: links %q, %v", run, hrefs, err)
		}
		for _, h := range hrefs {
			resp, err := http.Get(h)
			if err != nil {
				t.Fatalf("run %d: GET %s: %v", run, h, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("run %d: the page links to %s, which answers %s: %s", run, h, resp.Status, body)
			}
			if !strings.Contains(h, fmt.Sprintf("run=%d", run)) {
				t.Errorf("run %d: the page links to %s, which is not this run's", run, h)
			}
		}
		cut, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.card .s, .card .v')].
			filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)`))
		if err != nil || len(cut) > 0 {
			t.Errorf("run %d: cut-off card text %q (%v)", run, cut, err)
		}
		// A local run: no worker anywhere, one row per slot.
		local, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('workers-panel').hidden + ' ' +
			(document.getElementById('card-workers') === null) + ' ' +
			[...document.querySelectorAll('#stream .lanelabel')].every(e => e.textContent.startsWith('slot '))`))
		if err != nil || local != "true true true" {
			t.Errorf("run %d: workers panel hidden, no Workers card, slot rows: %q (%v), want all true", run, local, err)
		}
		ticks, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#stream .ticklabel')].map(e => e.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, l := range ticks {
			if !regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(µs|ms|s|min)$`).MatchString(l) || seen[l] {
				t.Errorf("run %d: axis labels %q: want distinct numbers with a unit", run, ticks)
				break
			}
			seen[l] = true
		}
		if dir := os.Getenv("CAIRN_SCREENSHOT_DIR"); dir != "" {
			screenshot(t, ctx, filepath.Join(dir, fmt.Sprintf("run-%d.png", run)))
		}
	}
	note, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('graph-note').textContent`))
	if err != nil || !strings.Contains(note, "restored") {
		t.Errorf("run 3's graph note %q (%v), want it to say the final result was restored", note, err)
	}
}

// TestGraphOfEveryRun fetches the graph exports of every run, including one
// whose final result was restored (no graph): each answers 200, and an
// unknown run 404 with an error that names the runs kept.
func TestGraphOfEveryRun(t *testing.T) {
	d := dash.New(nil)
	srv := httptest.NewServer(d)
	defer srv.Close()
	defer d.Close()
	seedRuns(t, d)
	for run := 1; run <= 3; run++ {
		for _, p := range []string{"graph.dot", "graph.mmd", "state.json"} {
			resp, err := http.Get(fmt.Sprintf("%s/%s?run=%d", srv.URL, p, run))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s?run=%d: %s: %s", p, run, resp.Status, body)
			}
			if run == 3 && p != "state.json" && !strings.Contains(string(body), "restored from its checkpoint") {
				t.Errorf("%s?run=3 does not say the final result was restored:\n%s", p, body)
			}
		}
	}
	resp, err := http.Get(srv.URL + "/graph.dot?run=9")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "1 to 3") || strings.Contains(string(body), "Listeners") {
		t.Errorf("graph.dot?run=9: %s: %s; want 404 naming the runs kept, without the Listeners hint", resp.Status, body)
	}
}
