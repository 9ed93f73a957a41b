package benchcmp

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// A Report is the outcome of Run: every row, where it ran, and the
// workloads that could not run in this build.
type Report struct {
	Machine Machine `json:"machine"`
	Peer    PeerEnv `json:"peer"`
	// Runs is the number of repetitions of each side of each workload.
	Runs int `json:"runs"`
	// PeerLimit is the time one peer call was allowed.
	PeerLimit time.Duration `json:"-"`
	Rows      []Row         `json:"rows"`
	// Skipped lists the workloads that did not run, and why.
	Skipped []Skipped `json:"skipped,omitempty"`
}

// Skipped is a workload that was listed but not run.
type Skipped struct {
	Workload string `json:"workload"`
	Why      string `json:"why"`
}

// MarshalJSON encodes the report with its peer limit in seconds.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return json.Marshal(struct {
		*plain
		PeerLimitS float64 `json:"peer_limit_s"`
	}{(*plain)(r), r.PeerLimit.Seconds()})
}

// WriteJSONLines writes one JSON object a row (RowJSON).
func (r *Report) WriteJSONLines(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, row := range r.Rows {
		if err := enc.Encode(row.JSON()); err != nil {
			return err
		}
	}
	return nil
}

// header is the lines above the table: what ran, where, and how.
func (r *Report) header() []string {
	return []string{
		fmt.Sprintf("cairn against Dask %s (threads scheduler, 2 workers; Python %s, NumPy %s)", r.Peer.Dask, r.Peer.Python, r.Peer.NumPy),
		"machine: " + r.Machine.String(),
		fmt.Sprintf("%d runs of each side, interleaved; ratio = cairn median / Dask median (below 1: cairn is faster)", r.Runs),
	}
}

// cells returns a row's table cells: workload, cairn median, Dask median,
// ratio, cairn min–max, Dask min–max.
func (r Row) cells() []string {
	c := []string{r.Name, fmtDur(r.CairnMedian()), "", "–", fmtSpan(span(r.Cairn)), "–"}
	if p, ok := r.PeerMedian(); ok {
		ratio, _ := r.Ratio()
		c[2], c[3], c[5] = fmtDur(p), sig3(ratio), fmtSpan(span(r.Peer))
	} else {
		c[2] = r.Note()
	}
	return c
}

var columns = []string{"workload", "cairn median", "Dask median", "ratio", "cairn min–max", "Dask min–max"}

// WriteTable writes the report as a text table with its header.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, h := range r.header() {
		fmt.Fprintln(tw, h)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, strings.Join(columns, "\t"))
	for _, row := range r.Rows {
		fmt.Fprintln(tw, strings.Join(row.cells(), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range r.skippedLines() {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// WriteMarkdown writes the table as Markdown, for a README.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	for _, h := range r.header() {
		b.WriteString(h + "\n\n")
	}
	b.WriteString("| " + strings.Join(columns, " | ") + " |\n")
	b.WriteString(strings.Repeat("|---", len(columns)) + "|\n")
	for _, row := range r.Rows {
		b.WriteString("| " + strings.Join(row.cells(), " | ") + " |\n")
	}
	for _, line := range r.skippedLines() {
		b.WriteString("\n" + line + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// skippedLines says which workloads did not run, one line a reason:
// "<why> — <workload>, <workload>".
func (r *Report) skippedLines() []string {
	var whys []string
	names := map[string][]string{}
	for _, s := range r.Skipped {
		if names[s.Why] == nil {
			whys = append(whys, s.Why)
		}
		names[s.Why] = append(names[s.Why], s.Workload)
	}
	lines := make([]string, len(whys))
	for i, why := range whys {
		lines[i] = why + " — " + strings.Join(names[why], ", ")
	}
	return lines
}
