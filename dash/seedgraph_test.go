package dash_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/memstore" // mem://
	"github.com/cairnlabs/cairn/dash"
	"github.com/cairnlabs/cairn/internal/demo"
)

// TestSeedGraph runs the seed example's first two runs (the cairn demo's)
// under a Dashboard and exports their graphs, coloured by state. With
// CAIRN_SEED_GRAPH=docs/seed-graph.dot it writes the DOT files that the
// pictures in docs/ are rendered from, with Graphviz's radial layout (dot's
// layers would put 64 sums side by side):
//
//	twopi -Groot=n128 -Granksep=1.6 -Goverlap=false -Tsvg docs/seed-graph.dot > docs/seed-graph.svg
//	twopi -Groot=n128 -Granksep=1.6 -Goverlap=false -Tsvg docs/seed-graph-run2.dot > docs/seed-graph-run2.svg
func TestSeedGraph(t *testing.T) {
	d := dash.New(nil)
	s := cairn.New(&cairn.Config{Parallelism: 2, Listeners: []cairn.Listener{d}, Logger: quiet()})
	defer s.Close()
	st, err := checkpoint.Open(context.Background(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := demo.Config{Size: 1024, Block: 128, Seed: demo.DefaultSeed, Store: st, Scheduler: s}
	res, err := demo.Run(context.Background(), cfg, 1)
	if err != nil || res.Error == "" {
		t.Fatalf("run 1: %+v, %v; want the seed's DomainError", res, err)
	}
	run1 := exportDOT(t, d, "The seed example, run 1: the 64 block sums are checkpointed, inner fails",
		"129 thunks", "64 done", "64 checkpointed", "1 failed", `label="sum[63]"`)
	res, err = demo.Run(context.Background(), cfg, 2)
	if err != nil || res.Error != "" {
		t.Fatalf("run 2: %+v, %v", res, err)
	}
	run2 := exportDOT(t, d, "Run 2, inner fixed: the sums are restored, X is pruned, only inner runs",
		"64 restored", "64 pruned", "1 done")
	if path := os.Getenv("CAIRN_SEED_GRAPH"); path != "" {
		if !filepath.IsAbs(path) {
			path = filepath.Join("..", path)
		}
		path2 := strings.TrimSuffix(path, filepath.Ext(path)) + "-run2" + filepath.Ext(path)
		for p, b := range map[string][]byte{path: run1, path2: run2} {
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// exportDOT writes the latest run's graph and checks that it says what
// wants says.
func exportDOT(t *testing.T, d *dash.Dashboard, title string, wants ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := d.WriteDOT(&buf, 0, &dash.GraphOptions{Title: title}); err != nil {
		t.Fatal(err)
	}
	for _, want := range wants {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("DOT of %q lacks %q", title, want)
		}
	}
	return buf.Bytes()
}
