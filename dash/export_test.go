package dash_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/dash"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// seedGraph builds the seed example with n blocks and the states of a first
// run: blocks done, sums checkpointed but for the last (failed), inner
// skipped.
func seedGraph(n int) (*cairn.Thunk, map[uint64]dash.State) {
	states := map[uint64]dash.State{}
	var ys []any
	for i := range n {
		x := cairn.Delayed(randBlock, cairn.Options{Name: fmt.Sprintf("block[%d]", i)})(i, 16, 0)
		y := cairn.Delayed(sumBlock)(x, 0)
		states[x.ID()] = dash.Done
		states[y.ID()] = dash.Checkpointed
		if i == n-1 {
			states[y.ID()] = dash.Failed
		}
		ys = append(ys, y)
	}
	z := cairn.Delayed(inner, cairn.Options{Name: `inner "sqrt"`})(ys...)
	states[z.ID()] = dash.Skipped
	return z, states
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s",
			path, t.Name(), got, want)
	}
}

func TestExportGolden(t *testing.T) {
	z, states := seedGraph(4)
	big, bigStates := seedGraph(40)
	for _, tc := range []struct {
		file   string
		z      *cairn.Thunk
		states map[uint64]dash.State
		opts   *dash.GraphOptions
		write  func(*bytes.Buffer, []*cairn.Thunk, map[uint64]dash.State, *dash.GraphOptions) error
	}{
		{"seed.dot", z, states, &dash.GraphOptions{Title: "seed example, run 1"}, dot},
		{"seed.mmd", z, states, &dash.GraphOptions{Title: "seed example, run 1"}, mermaid},
		{"bare.dot", z, nil, &dash.GraphOptions{LeftToRight: true}, dot},
		{"bare.mmd", z, nil, nil, mermaid},
		{"grouped.dot", big, bigStates, &dash.GraphOptions{MaxNodes: 50}, dot},
		{"grouped.mmd", big, bigStates, &dash.GraphOptions{MaxNodes: 50}, mermaid},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.write(&buf, []*cairn.Thunk{tc.z}, tc.states, tc.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, buf.Bytes())
			// A graph built again the same way exports the same text: no
			// thunk IDs leak into the output.
			z2, states2 := seedGraph(4)
			if tc.z == big {
				z2, states2 = seedGraph(40)
			}
			if tc.states == nil {
				states2 = nil
			}
			var again bytes.Buffer
			tc.write(&again, []*cairn.Thunk{z2}, states2, tc.opts)
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Errorf("a graph built again exports differently:\n%s\n---\n%s", &buf, &again)
			}
		})
	}
}

func dot(b *bytes.Buffer, ts []*cairn.Thunk, s map[uint64]dash.State, o *dash.GraphOptions) error {
	return dash.WriteDOT(b, ts, s, o)
}

func mermaid(b *bytes.Buffer, ts []*cairn.Thunk, s map[uint64]dash.State, o *dash.GraphOptions) error {
	return dash.WriteMermaid(b, ts, s, o)
}

// TestExportListsEachThunkOnce passes every thunk of a graph, in a shuffled
// order and with repeats: each is drawn once, with its inputs first.
func TestExportListsEachThunkOnce(t *testing.T) {
	a := cairn.Delayed(sumBlock, cairn.Options{Name: "a"})([]float64{1}, 0)
	b := cairn.Delayed(sumBlock, cairn.Options{Name: "b"})([]float64{2}, 0)
	c := cairn.Delayed(inner, cairn.Options{Name: "c"})(a, b, a)
	var buf bytes.Buffer
	if err := dash.WriteDOT(&buf, []*cairn.Thunk{c, b, a, c, nil}, nil, nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`n0 [label="a"]`, `n1 [label="b"]`, `n2 [label="c"]`, "n0 -> n2;", "n1 -> n2;"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if n := strings.Count(out, "->"); n != 2 {
		t.Errorf("%d edges, want 2 (a repeated input is one edge):\n%s", n, out)
	}
}
