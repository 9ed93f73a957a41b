package dash_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/dash"
)

// findChromium returns the path of a Chromium or Chrome binary: $CAIRN_CHROMIUM,
// or the first of the usual names on $PATH.
func findChromium() string {
	if p := os.Getenv("CAIRN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		t.Skip("Chromium is not installed: apt-get install chromium (or set CAIRN_CHROMIUM) to run the browser test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium leaves its singleton directories in $TMPDIR when it is
		// stopped: in the test's own, they go with it.
		chromedp.Env("TMPDIR="+t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(1440, 1000),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(bctx); err != nil { // starts the browser; no timeout on this call
		t.Fatalf("start %s: %v", path, err)
	}
	tctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(cancel)
	return tctx
}

// waitJS polls a JavaScript condition in the page.
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second),
		chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 2000)`))
		t.Fatalf("waiting for %s (%s): %v\npage:\n%s", what, expr, err, page)
	}
}

func evalInt(t *testing.T, ctx context.Context, expr string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return n
}

func nodes(state string) string {
	return fmt.Sprintf(`document.querySelectorAll('#graph rect[data-state=%q]').length`, state)
}

// TestBrowser opens the dashboard in a real headless Chromium while the
// seed example runs twice: the first run checkpoints its sums and fails in
// inner; the second, with inner fixed, restores the sums (but for a few
// whose checkpoints are missing or corrupt) and prunes their blocks. With
// CAIRN_SCREENSHOT=docs/dashboard.png it saves screenshots of both runs.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	d := dash.New(&dash.Options{Title: "seed example", Interval: 50 * time.Millisecond})
	srv := httptest.NewServer(d)
	defer srv.Close()
	defer d.Close() // end the page's event stream, or srv.Close waits for it
	s := cairn.New(&cairn.Config{Parallelism: 4, Listeners: []cairn.Listener{d},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the page to connect", `document.getElementById('conn').textContent === 'live'`)

	const blocks = 64
	w := newSeedWork(blocks, 4096, 15*time.Millisecond, 35*time.Millisecond)
	// Block 0 runs until the page has shown a running thunk: on a loaded
	// machine the run could otherwise end before the page first looks.
	hold := make(chan struct{})
	release := sync.OnceFunc(func() { close(hold) })
	holdBlock0.Store(&hold)
	defer holdBlock0.Store(nil)
	defer release()
	done := make(chan error, 1)
	go func() {
		_, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(inner)(anys(w.Y)...),
			cairn.RunOptions{Name: "buggy inner"})
		done <- err
	}()
	waitJS(t, ctx, "a running thunk", nodes("running")+` > 0`)
	release()
	waitJS(t, ctx, "run 1 to fail", `document.body.dataset.status === 'failed'`)
	if err := <-done; err == nil || !strings.Contains(err.Error(), "DomainError") {
		t.Fatalf("run 1: got %v, want inner's DomainError", err)
	}
	if n := evalInt(t, ctx, nodes("checkpointed")); n != blocks {
		t.Errorf("run 1: %d checkpointed nodes, want %d", n, blocks)
	}
	if n := evalInt(t, ctx, nodes("failed")); n != 1 {
		t.Errorf("run 1: %d failed nodes, want 1", n)
	}
	waitJS(t, ctx, "the error to show", `document.getElementById('errors').innerText.includes('DomainError')`)

	// Run 2: inner fixed; 6 checkpoints lost, 4 corrupt.
	w.lose([]int{3, 17, 29, 40, 51, 60}, []int{8, 22, 35, 47})
	go func() {
		_, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(innerFixed)(anys(w.Y)...),
			cairn.RunOptions{Name: "fixed inner"})
		done <- err
	}()
	waitJS(t, ctx, "run 2 to succeed", `document.body.dataset.run === '2' && document.body.dataset.status === 'ok'`)
	if err := <-done; err != nil {
		t.Fatalf("run 2: %v", err)
	}
	if n := evalInt(t, ctx, nodes("restored")); n != blocks-10 {
		t.Errorf("run 2: %d restored nodes, want %d", n, blocks-10)
	}
	if n := evalInt(t, ctx, nodes("pruned")); n != blocks-10 {
		t.Errorf("run 2: %d pruned nodes, want %d", n, blocks-10)
	}
	if n := evalInt(t, ctx, nodes("checkpointed")); n != 10 {
		t.Errorf("run 2: %d checkpointed nodes, want 10 (the recomputed sums)", n)
	}
	waitJS(t, ctx, "the restore warnings", `document.querySelectorAll('#errors .err.warn').length === 4`)
	waitJS(t, ctx, "run 2's tasks in the stream", `document.querySelectorAll('#stream rect.task').length >= 21`)
	shot := os.Getenv("CAIRN_SCREENSHOT")
	screenshot(t, ctx, shot)

	// Look back at run 1.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav button[data-run="1"]`))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "run 1 again", `document.body.dataset.run === '1' && `+nodes("failed")+` === 1`)
	waitJS(t, ctx, "run 1's tasks in the stream", `document.querySelectorAll('#stream rect.task').length >= 129`)
	if shot != "" {
		screenshot(t, ctx, strings.TrimSuffix(shot, filepath.Ext(shot))+"-failed"+filepath.Ext(shot))
	}
}

// screenshot saves the whole page as a PNG at path (relative to the
// repository root), if path is set.
func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	if path == "" {
		return
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join("..", path)
	}
	time.Sleep(300 * time.Millisecond) // let the last update paint
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot saved to %s", path)
}

func anys(ts []*cairn.Thunk) []any {
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}

// TestBrowserLargeGraph watches a run of 5,051 thunks: the page draws one
// box per function with its state counts. With CAIRN_SCREENSHOT set it
// saves a screenshot halfway (name-large.png).
func TestBrowserLargeGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("the large-graph browser test is skipped in -short mode (TestBrowser still runs)")
	}
	ctx := browser(t)
	d := dash.New(&dash.Options{Title: "5,000 sums", Interval: 100 * time.Millisecond})
	srv := httptest.NewServer(d)
	defer srv.Close()
	defer d.Close()
	s := cairn.New(&cairn.Config{Parallelism: 4, Listeners: []cairn.Listener{d},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer s.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the page to connect", `document.getElementById('conn').textContent === 'live'`)

	var parts []any
	for i := range 50 {
		var ys []any
		for j := range 100 {
			ys = append(ys, cairn.Delayed(sumBlock)([]float64{float64(i), float64(j)}, 2*time.Millisecond))
		}
		parts = append(parts, cairn.Delayed(innerFixed)(ys...))
	}
	z := cairn.Delayed(inner, cairn.Options{Name: "total"})(parts...)
	done := make(chan error, 1)
	go func() {
		_, err := cairn.Collect[float64](context.Background(), s, z, cairn.RunOptions{Name: "fan-in"})
		done <- err
	}()
	waitJS(t, ctx, "the grouped graph", `document.querySelectorAll('#graph g.group').length === 3`)
	waitJS(t, ctx, "progress", `parseFloat(document.querySelector('#card-progress .v').textContent) >= 25`)
	if shot := os.Getenv("CAIRN_SCREENSHOT"); shot != "" {
		screenshot(t, ctx, strings.TrimSuffix(shot, filepath.Ext(shot))+"-large"+filepath.Ext(shot))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the run to end", `document.body.dataset.status === 'ok'`)
	var counts string
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.querySelector('#graph rect[data-fn="dash_test.sumBlock"]').dataset.counts`))
	if err != nil || counts != "5,000 done" {
		t.Errorf("sumBlock group counts %q (%v), want \"5,000 done\"", counts, err)
	}
}
