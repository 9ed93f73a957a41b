package benchcmp

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleReport has rows for every chart: overhead points of two shapes
// (one the peer did not finish), the checkpoint phases, and a build row.
func sampleReport() *Report {
	r := &Report{Runs: 2, PeerLimit: time.Minute, Peer: PeerEnv{Dask: "stub"}}
	add := func(spec RowSpec, cairn, peer float64, dnf bool) {
		row := Row{RowSpec: spec, Workload: spec.Name, Cairn: []float64{cairn, cairn * 1.1}}
		if dnf {
			row.PeerDNF, row.PeerLimit = true, r.PeerLimit
		} else {
			row.Peer = []float64{peer, peer * 0.9}
		}
		r.Rows = append(r.Rows, row)
	}
	for _, n := range []int{1_000, 10_000, 1_000_000} {
		add(RowSpec{Name: "overhead fan-in " + count(n), Tasks: n + 1, Shape: "fan-in"}, float64(n)*5e-7, float64(n)*9e-5, n == 1_000_000)
		add(RowSpec{Name: "overhead chain " + count(n), Tasks: n, Shape: "chain"}, float64(n)*6e-7, float64(n)*8e-5, false)
	}
	add(RowSpec{Name: "build chain 10k"}, 0.002, 9.5, false)
	for _, p := range ckptPhases {
		add(RowSpec{Name: "checkpoints 16384²/1024²: " + p.phase, Phase: p.phase}, 0.5, 1.6, false)
	}
	for i := range r.Rows { // the phases are one workload
		if r.Rows[i].Phase != "" {
			r.Rows[i].Workload = "checkpoints 16384²/1024²"
		}
	}
	return r
}

// TestWriteDir checks that --out's files are written and hold what they
// should: the JSON report with every row (null peer figures where the peer
// did not finish), the Markdown table, and each chart as a PNG image and
// an SVG document with its title and the did-not-finish marker's legend.
func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out") // made by WriteDir
	files, err := sampleReport().WriteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"compare.json", "table.txt", "table.md"}
	for _, c := range []string{ChartScaling, ChartPhases, ChartRatios} {
		want = append(want, c+".png", c+".svg")
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	var rep struct {
		Rows       []RowJSON `json:"rows"`
		PeerLimitS float64   `json:"peer_limit_s"`
	}
	if err := json.Unmarshal(read("compare.json"), &rep); err != nil {
		t.Fatalf("compare.json: %v", err)
	}
	if len(rep.Rows) != len(sampleReport().Rows) || rep.PeerLimitS != 60 {
		t.Errorf("compare.json: %d rows, peer limit %v s; want %d, 60", len(rep.Rows), rep.PeerLimitS, len(sampleReport().Rows))
	}
	for _, r := range rep.Rows {
		if dnf := r.Workload == "overhead fan-in 1M"; dnf != (r.PeerMedianS == nil) || dnf != (r.Ratio == nil) || dnf != r.PeerDNF {
			t.Errorf("compare.json row %+v: peer figures null only where the peer did not finish", r)
		}
	}
	if md := string(read("table.md")); !strings.Contains(md, "| overhead fan-in 1M | 525 ms | did not finish within 60 s | – |") {
		t.Errorf("table.md lacks the did-not-finish row:\n%s", md)
	}

	for _, c := range []struct{ name, text string }{
		{ChartScaling, "Dask did not finish within 60 s"},
		{ChartPhases, "first run, fsync"},
		{ChartRatios, "build chain 10k"},
	} {
		if png := read(c.name + ".png"); !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
			t.Errorf("%s.png: %d bytes, not a PNG image of a chart", c.name, len(png))
		}
		svg := string(read(c.name + ".svg"))
		if !strings.Contains(svg, "<svg") || !strings.Contains(svg, c.text) {
			t.Errorf("%s.svg: not an SVG document with %q", c.name, c.text)
		}
	}
}

// TestWriteChartsLeavesOutEmpty checks that a chart with no rows to draw is
// not written (an empty log-scale plot cannot be drawn).
func TestWriteChartsLeavesOutEmpty(t *testing.T) {
	r := &Report{Rows: []Row{{RowSpec: RowSpec{Name: "seed"}, Cairn: []float64{1}, PeerDNF: true, PeerLimit: time.Second}}}
	files, err := r.WriteCharts(t.TempDir())
	if err != nil || len(files) != 0 {
		t.Errorf("WriteCharts with nothing to draw: %v, %v", files, err)
	}
}
