package dash

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"time"
)

//go:embed web
var webFS embed.FS

// keepAlive is how often an idle event stream gets a comment, so that
// proxies keep it open.
const keepAlive = 15 * time.Second

// routes sets up the dashboard's pages. Every path is relative, so the
// dashboard can be mounted under a prefix with http.StripPrefix.
func (d *Dashboard) routes() {
	static, err := fs.Sub(webFS, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	d.mux = http.NewServeMux()
	d.mux.Handle("GET /", http.FileServerFS(static))
	d.mux.HandleFunc("GET /events", d.serveEvents)
	d.mux.HandleFunc("GET /state.json", d.serveState)
	d.mux.HandleFunc("GET /graph.dot", d.serveGraph)
	d.mux.HandleFunc("GET /graph.mmd", d.serveGraph)
}

// ServeHTTP serves the dashboard: the page at /, its updates as
// Server-Sent Events at /events, one update as JSON at /state.json, and
// the graph of a run at /graph.dot (Graphviz) and /graph.mmd (Mermaid).
// Every path but / takes ?run=N to pick a run; the default is the latest.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mux.ServeHTTP(w, r)
}

// runParam reads ?run=N (0: follow the latest run).
func runParam(r *http.Request) (uint64, error) {
	s := r.URL.Query().Get("run")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("dash: run=%q is not a run number: use ?run=1, or leave it out for the latest run", s)
	}
	return n, nil
}

func (d *Dashboard) serveState(w http.ResponseWriter, r *http.Request) {
	run, err := runParam(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var c cursor
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(d.message(&c, run))
}

func (d *Dashboard) serveGraph(w http.ResponseWriter, r *http.Request) {
	run, err := runParam(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var buf bytes.Buffer
	opts := &GraphOptions{MaxNodes: d.opts.DetailLimit}
	if r.URL.Path == "/graph.dot" {
		err = d.WriteDOT(&buf, run, opts)
		w.Header().Set("Content-Type", "text/vnd.graphviz; charset=utf-8")
	} else {
		err = d.WriteMermaid(&buf, run, opts)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	if err != nil {
		w.Header().Del("Content-Type")
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.Write(buf.Bytes())
}

// serveEvents streams updates until the browser leaves or the dashboard is
// closed: at every Interval while something changed, every second while a
// task runs (to move the clock), and a keep-alive comment now and then.
func (d *Dashboard) serveEvents(w http.ResponseWriter, r *http.Request) {
	run, err := runParam(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	var (
		c        cursor
		seen     = ^uint64(0)
		lastSent time.Time
		buf      bytes.Buffer
	)
	tick := time.NewTicker(d.opts.Interval)
	defer tick.Stop()
	for {
		v, busy := d.activity()
		now := time.Now()
		buf.Reset()
		switch {
		case v != seen || (busy && now.Sub(lastSent) >= time.Second):
			seen = v
			buf.WriteString("data: ")
			if err := json.NewEncoder(&buf).Encode(d.message(&c, run)); err != nil {
				return
			}
			buf.WriteString("\n") // Encode ended the line; a blank line ends the event
		case now.Sub(lastSent) >= keepAlive:
			buf.WriteString(": keep-alive\n\n")
		}
		if buf.Len() > 0 {
			lastSent = now
			if _, err := w.Write(buf.Bytes()); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-d.done:
			return
		case <-tick.C:
		}
	}
}

// activity returns the event count and whether a task is running.
func (d *Dashboard) activity() (uint64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.version, len(d.running) > 0
}
