package benchcmp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// WriteDir writes the report into dir (made if missing): compare.json (the
// whole report: machine, versions and every row with its samples),
// table.txt and table.md (the table), and the charts as PNG and SVG (see
// WriteCharts). It returns the files written.
func (r *Report) WriteDir(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench compare: --out: %w", err)
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bench compare: %w", err)
	}
	var txt, md bytes.Buffer
	if err := r.WriteTable(&txt); err != nil {
		return nil, err
	}
	if err := r.WriteMarkdown(&md); err != nil {
		return nil, err
	}
	var files []string
	for _, f := range []struct {
		name string
		data []byte
	}{{"compare.json", append(raw, '\n')}, {"table.txt", txt.Bytes()}, {"table.md", md.Bytes()}} {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return files, fmt.Errorf("bench compare: --out: %w", err)
		}
		files = append(files, path)
	}
	charts, err := r.WriteCharts(dir)
	return append(files, charts...), err
}
