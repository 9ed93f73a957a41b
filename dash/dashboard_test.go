package dash_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/dash"
)

// state is the part of /state.json that the tests read.
type state struct {
	Title string `json:"title"`
	Runs  []struct {
		ID     uint64 `json:"id"`
		Status string `json:"status"`
	} `json:"runs"`
	Run *struct {
		ID          uint64  `json:"id"`
		Status      string  `json:"status"`
		Counts      []int   `json:"counts"`
		States      string  `json:"states"`
		GroupStates [][]int `json:"groupStates"`
		Errors      []struct{ Kind, Thunk, Err string }
		Layout      *struct {
			Mode  string `json:"mode"`
			Nodes []struct {
				Label string `json:"label"`
				N     int    `json:"n"`
			} `json:"nodes"`
			Edges [][2]int `json:"edges"`
		} `json:"layout"`
	} `json:"run"`
	StateNames []string `json:"stateNames"`
	Slots      int      `json:"slots"`
	Tasks      []struct {
		Fn string `json:"fn"`
		St string `json:"st"`
	} `json:"tasks"`
}

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func getState(t *testing.T, srv *httptest.Server, path string) *state {
	t.Helper()
	code, body := get(t, srv, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	var s state
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return &s
}

func count(s *state, name string) int {
	for i, n := range s.StateNames {
		if n == name {
			return s.Run.Counts[i]
		}
	}
	return -1
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestDashboardRuns(t *testing.T) {
	d := dash.New(&dash.Options{Title: "test"})
	defer d.Close()
	srv := httptest.NewServer(d)
	defer srv.Close()
	s := cairn.New(&cairn.Config{Parallelism: 2, Listeners: []cairn.Listener{d}, Logger: quiet()})
	defer s.Close()

	if st := getState(t, srv, "/state.json"); st.Run != nil || st.Title != "test" {
		t.Fatalf("before any run: %+v", st)
	}
	if code, _ := get(t, srv, "/graph.dot"); code != http.StatusNotFound {
		t.Errorf("/graph.dot before any run: %d, want 404", code)
	}

	ctx := context.Background()
	w := newSeedWork(8, 16, 0, 0)
	if _, err := cairn.Collect[float64](ctx, s, cairn.Delayed(inner)(anys(w.Y)...)); err == nil {
		t.Fatal("run 1 succeeded; want inner's error")
	}
	w.lose([]int{0}, []int{1})
	if _, err := cairn.Collect[float64](ctx, s, cairn.Delayed(innerFixed)(anys(w.Y)...)); err != nil {
		t.Fatal(err)
	}

	st := getState(t, srv, "/state.json")
	if len(st.Runs) != 2 || st.Runs[0].Status != "failed" || st.Runs[1].Status != "ok" {
		t.Fatalf("runs: %+v, want run 1 failed and run 2 ok", st.Runs)
	}
	if st.Run.ID != 2 || st.Run.Layout == nil || st.Run.Layout.Mode != "nodes" || len(st.Run.Layout.Nodes) != 17 {
		t.Fatalf("latest run: %+v", st.Run)
	}
	for name, want := range map[string]int{"restored": 6, "pruned": 6, "checkpointed": 2, "done": 3, "failed": 0} {
		if got := count(st, name); got != want {
			t.Errorf("run 2: %d %s, want %d", got, name, want)
		}
	}
	if len(st.Run.States) != 17 {
		t.Errorf("run 2: states %q, want one digit per thunk", st.Run.States)
	}
	if len(st.Run.Errors) != 1 || st.Run.Errors[0].Kind != "restore-failed" || st.Run.Errors[0].Thunk != "sum[1]" {
		t.Errorf("run 2 errors: %+v, want sum[1]'s failed restore", st.Run.Errors)
	}
	if st.Slots < 1 || st.Slots > 2 || len(st.Tasks) != 8+8+1+2+2+1 {
		t.Errorf("%d slots, %d tasks: want 1 or 2 slots and every task of both runs (22)", st.Slots, len(st.Tasks))
	}

	st1 := getState(t, srv, "/state.json?run=1")
	if st1.Run.ID != 1 || count(st1, "failed") != 1 || count(st1, "checkpointed") != 8 {
		t.Errorf("run 1: %+v", st1.Run)
	}
	if e := st1.Run.Errors; len(e) != 1 || !strings.Contains(e[0].Err, "DomainError") {
		t.Errorf("run 1 errors: %+v, want inner's DomainError", e)
	}

	code, dot := get(t, srv, "/graph.dot?run=1")
	if code != http.StatusOK || !strings.Contains(dot, "digraph cairn") || !strings.Contains(dot, "1 failed") {
		t.Errorf("/graph.dot?run=1: %d\n%s", code, dot)
	}
	code, mmd := get(t, srv, "/graph.mmd")
	if code != http.StatusOK || !strings.HasPrefix(mmd, "flowchart TD") || !strings.Contains(mmd, "class ") {
		t.Errorf("/graph.mmd: %d\n%s", code, mmd)
	}
	if code, body := get(t, srv, "/state.json?run=x"); code != http.StatusBadRequest || !strings.Contains(body, "run=1") {
		t.Errorf("?run=x: %d %s, want 400 and a hint", code, body)
	}
	if code, _ := get(t, srv, "/graph.dot?run=99"); code != http.StatusNotFound {
		t.Errorf("/graph.dot?run=99: %d, want 404", code)
	}
	for _, path := range []string{"/", "/app.js", "/style.css"} {
		if code, body := get(t, srv, path); code != http.StatusOK || len(body) < 100 {
			t.Errorf("GET %s: %d, %d bytes", path, code, len(body))
		}
	}
}

// TestEvents reads the Server-Sent Events of a page while a run goes on.
func TestEvents(t *testing.T) {
	d := dash.New(&dash.Options{Interval: 5 * time.Millisecond})
	srv := httptest.NewServer(d)
	defer srv.Close()
	defer d.Close()
	s := cairn.New(&cairn.Config{Parallelism: 2, Listeners: []cairn.Listener{d}, Logger: quiet()})
	defer s.Close()

	resp, err := srv.Client().Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	events := make(chan *state)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var st state
			if err := json.Unmarshal([]byte(data), &st); err != nil {
				t.Errorf("event %q: %v", data, err)
				return
			}
			events <- &st
		}
	}()
	if st := <-events; st.Run != nil {
		t.Fatalf("first event names a run before any ran: %+v", st.Run)
	}
	w := newSeedWork(4, 16, 0, 0)
	go cairn.Collect[float64](context.Background(), s, cairn.Delayed(innerFixed)(anys(w.Y)...))
	layouts := 0
	for st := range events {
		if st.Run == nil {
			continue
		}
		if st.Run.Layout != nil {
			layouts++
		}
		if st.Run.Status == "ok" {
			if layouts != 1 {
				t.Errorf("the layout was sent %d times, want once", layouts)
			}
			if count(st, "checkpointed") != 4 || count(st, "done") != 5 {
				t.Errorf("final counts %v", st.Run.Counts)
			}
			break
		}
	}
	d.Close() // ends the stream
	for range events {
	}
}

// TestLargeGraph sends the events of a run of 100,000 thunks: the page gets
// one box per function and state counts, in a small message.
func TestLargeGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100,000 thunks")
	}
	const n = 100_000
	d := dash.New(nil)
	srv := httptest.NewServer(d)
	defer srv.Close()
	thunks := make([]*cairn.Thunk, 0, n+n/1000+1)
	var tops []any
	for i := range n / 1000 {
		var parts []any
		for j := range 1000 {
			x := cairn.Delayed(sumBlock)([]float64{float64(i*1000 + j)}, time.Duration(0))
			thunks = append(thunks, x)
			parts = append(parts, x)
		}
		y := cairn.Delayed(innerFixed)(parts...)
		thunks = append(thunks, y)
		tops = append(tops, y)
	}
	z := cairn.Delayed(innerFixed, cairn.Options{Name: "total"})(tops...)
	thunks = append(thunks, z)
	now := time.Now()
	d.OnEvent(cairn.Event{Kind: cairn.RunStarted, Time: now, Run: 1, Thunks: thunks})
	sums := 0
	for i, x := range thunks[:n/2] {
		if strings.HasSuffix(x.Func().Name(), ".sumBlock") {
			sums++
		}
		d.OnEvent(cairn.Event{Kind: cairn.ThunkStarted, Time: now, Run: 1, Thunk: x, Slot: i % 8})
		d.OnEvent(cairn.Event{Kind: cairn.ThunkFinished, Time: now, Run: 1, Thunk: x, Slot: i % 8})
	}
	code, body := get(t, srv, "/state.json")
	if code != http.StatusOK {
		t.Fatal(code, body)
	}
	if len(body) > 1<<20 { // 5,000 tasks (the most sent at once) and the layout
		t.Errorf("state of a 100,000-thunk run is %d bytes; want it small", len(body))
	}
	var st state
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Run.Layout.Mode != "groups" || len(st.Run.Layout.Nodes) != 2 {
		t.Fatalf("layout %s with %d nodes, want 2 groups", st.Run.Layout.Mode, len(st.Run.Layout.Nodes))
	}
	if g := st.Run.Layout.Nodes[0]; g.Label != "sumBlock" || g.N != n {
		t.Errorf("group 0: %+v, want sumBlock × %d", g, n)
	}
	done := 0
	for i, name := range st.StateNames {
		if name == "done" {
			done = st.Run.GroupStates[0][i]
		}
	}
	if done != sums {
		t.Errorf("group 0 has %d done, want %d", done, sums)
	}
	if len(st.Run.Layout.Edges) != 2 {
		t.Errorf("%d group edges, want 2 (sumBlock→innerFixed, innerFixed→innerFixed)", len(st.Run.Layout.Edges))
	}
	if code, dot := get(t, srv, "/graph.dot"); code != http.StatusOK || !strings.Contains(dot, "×100000") {
		t.Errorf("/graph.dot of the large run: %d, want grouped edges ×100000:\n%.2000s", code, dot)
	}
}

func TestServe(t *testing.T) {
	d := dash.New(nil)
	ctx, cancel := context.WithCancel(context.Background())
	url, err := dash.Serve(ctx, "", d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("url %q, want the loopback address", url)
	}
	resp, err := http.Get(url + "state.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// An open page does not keep the server from stopping.
	events, err := http.Get(url + "events")
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := http.Get(url + "state.json")
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server still answers after its context was cancelled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := dash.Serve(context.Background(), "256.0.0.1:0", d); err == nil {
		t.Error("Serve on a bad address succeeded")
	}
	if _, err := dash.Serve(context.Background(), "", nil); err == nil {
		t.Error("Serve of a nil dashboard succeeded")
	}
}

// blockUntilCancelled runs until its context is cancelled.
func blockUntilCancelled(ctx context.Context, started chan<- struct{}) (int, error) {
	started <- struct{}{}
	<-ctx.Done()
	return 0, ctx.Err()
}

// TestCancelledRun cancels a run while a task runs: cancelled tasks report
// no end, so the dashboard settles them when the run finishes.
func TestCancelledRun(t *testing.T) {
	d := dash.New(nil)
	srv := httptest.NewServer(d)
	defer srv.Close()
	s := cairn.New(&cairn.Config{Parallelism: 2, Listeners: []cairn.Listener{d}, Logger: quiet()})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 2)
	a := cairn.Delayed(blockUntilCancelled)(started)
	b := cairn.Delayed(blockUntilCancelled)(started)
	z := cairn.Delayed(func(x, y int) int { return x + y })(a, b)
	done := make(chan error)
	go func() {
		_, err := cairn.Collect[int](ctx, s, z)
		done <- err
	}()
	<-started
	<-started
	if st := getState(t, srv, "/state.json"); count(st, "running") != 2 {
		t.Fatalf("while running: counts %v, want 2 running", st.Run.Counts)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the cancelled run succeeded")
	}
	st := getState(t, srv, "/state.json")
	if st.Run.Status != "failed" || count(st, "running") != 0 || count(st, "pending") != 0 || count(st, "skipped") != 3 {
		t.Errorf("after cancel: status %s, counts %v: want failed, 3 skipped", st.Run.Status, st.Run.Counts)
	}
	var resp struct {
		Running []any `json:"running"`
		Tasks   []struct {
			St string `json:"st"`
		} `json:"tasks"`
	}
	_, body := get(t, srv, "/state.json")
	json.Unmarshal([]byte(body), &resp)
	if len(resp.Running) != 0 || len(resp.Tasks) != 2 || resp.Tasks[0].St != "cancelled" {
		t.Errorf("after cancel: running %v, tasks %+v: want none running and 2 cancelled tasks", resp.Running, resp.Tasks)
	}
}
