package dash_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/dash"
	"github.com/cairnlabs/cairn/exec"
)

// workerState is the part of /state.json about workers.
type workerState struct {
	StateNames []string `json:"stateNames"`
	Run        struct {
		Counts  []int `json:"counts"`
		Workers []struct {
			Name                          string
			Tasks, Failed, Lost, Restored int
			Busy                          float64
			Gone                          bool
			Why                           string
		} `json:"workers"`
		LiveWorkers int   `json:"liveWorkers"`
		Lost        int   `json:"lost"`
		Recomputed  int   `json:"recomputed"`
		WorkerOf    []int `json:"workerOf"`
		Errors      []struct{ Kind, Thunk, Worker string }
	} `json:"run"`
	Tasks []struct {
		Name   string  `json:"name"`
		Slot   int     `json:"slot"`
		Worker string  `json:"worker"`
		St     string  `json:"st"`
		S      float64 `json:"s"`
		E      float64 `json:"e"`
		Ran    float64 `json:"ran"`
		Err    string  `json:"err"`
	} `json:"tasks"`
}

func getWorkerState(t *testing.T, srv *httptest.Server) *workerState {
	t.Helper()
	_, body := get(t, srv, "/state.json")
	var st workerState
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

func (st *workerState) count(name string) int {
	for i, n := range st.StateNames {
		if n == name {
			return st.Run.Counts[i]
		}
	}
	return -1
}

// clusterEvents feeds d a cluster run's events as the scheduler sends
// them: four sums on two workers, w1 dies with two of them running (they
// are lost and run again on w0), and sum[1], whose value w1 held, is made
// again. check is called after the losses.
func clusterEvents(d *dash.Dashboard, check func()) []*cairn.Thunk {
	var ys []*cairn.Thunk
	for i := range 4 {
		ys = append(ys, cairn.Delayed(sumBlock, cairn.Options{Name: fmt.Sprintf("sum[%d]", i)})([]float64{float64(i)}, time.Duration(0)))
	}
	z := cairn.Delayed(innerFixed, cairn.Options{Name: "total"})(anys(ys)...)
	thunks := append(append([]*cairn.Thunk{}, ys...), z)
	now := time.Now()
	at := func() time.Time { now = now.Add(10 * time.Millisecond); return now }
	ev := func(k cairn.EventKind, th *cairn.Thunk, slot int, worker string, ran time.Duration, err error) {
		d.OnEvent(cairn.Event{Kind: k, Time: at(), Run: 1, Thunk: th, Slot: slot, Worker: worker, Duration: ran, Err: err})
	}
	d.OnEvent(cairn.Event{Kind: cairn.RunStarted, Time: at(), Run: 1, Thunks: thunks})
	for i, y := range ys {
		ev(cairn.ThunkScheduled, y, 0, "", 0, nil)
		ev(cairn.ThunkStarted, y, i, "", 0, nil)
	}
	ev(cairn.ThunkFinished, ys[0], 0, "w0", 5*time.Millisecond, nil)
	answer := at() // w1 answers for sum[1] just before it dies...
	// The cause may be long (a worker's last words): it is kept short.
	died := &exec.LostError{Worker: "w1", Err: errors.New("the worker exited: signal: killed" + strings.Repeat("; its stderr said ...", 40))}
	ev(cairn.ThunkLost, ys[2], 2, "w1", 0, died)
	ev(cairn.ThunkLost, ys[3], 3, "w1", 0, died)
	// ... and the answer reaches listeners after the losses, from another
	// goroutine: w1 is still gone.
	d.OnEvent(cairn.Event{Kind: cairn.ThunkFinished, Time: answer, Run: 1, Thunk: ys[1], Slot: 1, Worker: "w1", Duration: 4 * time.Millisecond})
	ev(cairn.ThunkScheduled, ys[1], 0, "", 0, nil) // its value was on w1: made again
	check()
	for i, y := range ys[1:] {
		ev(cairn.ThunkScheduled, y, 0, "", 0, nil)
		ev(cairn.ThunkStarted, y, i, "", 0, nil)
		ev(cairn.ThunkFinished, y, i, "w0", 3*time.Millisecond, nil)
	}
	ev(cairn.ThunkScheduled, z, 0, "", 0, nil)
	ev(cairn.ThunkStarted, z, 0, "", 0, nil)
	ev(cairn.ThunkFinished, z, 0, "w0", time.Millisecond, nil)
	d.OnEvent(cairn.Event{Kind: cairn.RunFinished, Time: at(), Run: 1,
		Stats: &cairn.RunStats{Thunks: 5, Computed: 8, Lost: 2, Recomputed: 1}})
	return thunks
}

// TestWorkers feeds the events of a cluster run in which a worker dies:
// the state says which worker ran each task and each thunk, counts lost
// executions apart from failures, and takes the dead worker for gone. A
// local run's state says nothing of workers.
func TestWorkers(t *testing.T) {
	d := dash.New(nil)
	srv := httptest.NewServer(d)
	defer srv.Close()
	clusterEvents(d, func() {
		st := getWorkerState(t, srv)
		// sum[2] and sum[3] wait to run again, not failed; sum[1], to be
		// made again, stays done until it starts.
		if p, r, f, d := st.count("pending"), st.count("running"), st.count("failed"), st.count("done"); p != 3 || r != 0 || f != 0 || d != 2 {
			t.Errorf("after the losses: %d pending, %d running, %d failed, %d done; want 3 (sum[2], sum[3], total), 0, 0, 2", p, r, f, d)
		}
		if st.Run.Lost != 2 || st.Run.LiveWorkers != 1 {
			t.Errorf("after the losses: %d lost, %d live workers; want 2 and 1", st.Run.Lost, st.Run.LiveWorkers)
		}
	})
	st := getWorkerState(t, srv)
	if st.count("done") != 5 {
		t.Errorf("counts %v, want 5 done", st.Run.Counts)
	}
	ws := st.Run.Workers
	if len(ws) != 2 || ws[0].Name != "w0" || ws[1].Name != "w1" {
		t.Fatalf("workers %+v, want w0 and w1", ws)
	}
	if w := ws[0]; w.Tasks != 5 || w.Lost != 0 || w.Gone || w.Busy != 15 {
		t.Errorf("w0: %+v, want 5 tasks, none lost, 15 ms busy, live", w)
	}
	if w := ws[1]; w.Tasks != 1 || w.Lost != 2 || !w.Gone || !strings.Contains(w.Why, "signal: killed") || len(w.Why) > 310 {
		t.Errorf("w1: %+v, want 1 task, 2 lost, gone, and why in 300 bytes", w)
	}
	if st.Run.LiveWorkers != 1 || st.Run.Lost != 2 || st.Run.Recomputed != 1 {
		t.Errorf("%d live workers, %d lost, %d recomputed; want 1, 2, 1", st.Run.LiveWorkers, st.Run.Lost, st.Run.Recomputed)
	}
	// Each thunk last ran on w0 (index 0, sent as 1).
	if fmt.Sprint(st.Run.WorkerOf) != "[1 1 1 1 1]" {
		t.Errorf("workerOf %v, want every thunk on w0", st.Run.WorkerOf)
	}
	lost, done := 0, 0
	for _, task := range st.Tasks {
		switch task.St {
		case "lost":
			lost++
			if task.Worker != "w1" || !strings.Contains(task.Err, "signal: killed") || task.Ran != 0 {
				t.Errorf("lost task %+v: want it on w1, with why", task)
			}
		case "done":
			done++
			if task.Worker == "" || task.Ran <= 0 || task.Ran > task.E-task.S {
				t.Errorf("task %+v: want its worker and its run time within its span", task)
			}
		default:
			t.Errorf("task %+v: state %q", task, task.St)
		}
	}
	if lost != 2 || done != 6 {
		t.Errorf("%d lost and %d done tasks, want 2 and 6", lost, done)
	}
	if len(st.Run.Errors) != 0 {
		t.Errorf("errors %+v: a loss is not an error", st.Run.Errors)
	}

	// With the local executor nothing names a worker, and the state says
	// nothing of workers.
	d = dash.New(nil)
	srv = httptest.NewServer(d)
	defer srv.Close()
	s := cairn.New(&cairn.Config{Parallelism: 2, Listeners: []cairn.Listener{d}, Logger: quiet()})
	defer s.Close()
	w := newSeedWork(4, 16, 0, 0)
	if _, err := cairn.Collect[float64](context.Background(), s, cairn.Delayed(innerFixed)(anys(w.Y)...)); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, srv, "/state.json")
	for _, key := range []string{`"workers"`, `"worker"`, `"workerOf"`, `"ran"`} {
		if strings.Contains(body, key) {
			t.Errorf("a local run's state has %s:\n%.3000s", key, body)
		}
	}
	st = getWorkerState(t, srv)
	if st.Run.LiveWorkers != 0 || st.Run.Lost != 0 || len(st.Tasks) != 9 {
		t.Errorf("local run: %d live workers, %d lost, %d tasks; want 0, 0, 9", st.Run.LiveWorkers, st.Run.Lost, len(st.Tasks))
	}
	for _, task := range st.Tasks {
		if task.Slot < 0 || task.Slot > 1 {
			t.Errorf("task %+v: slot out of 0..1", task)
		}
	}
}
