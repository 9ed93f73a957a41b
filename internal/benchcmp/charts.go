package benchcmp

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The charts' colours: one for each side, and for the ratio bars.
var (
	cairnColor  = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	peerColor   = color.RGBA{R: 255, G: 127, B: 14, A: 255}
	fasterColor = color.RGBA{R: 44, G: 160, B: 44, A: 255}
	slowerColor = color.RGBA{R: 214, G: 39, B: 40, A: 255}
)

// Chart names, the files WriteCharts writes (each as .png and .svg).
const (
	ChartScaling = "scaling"     // time per task against graph size
	ChartPhases  = "seed-phases" // the checkpoint phases, grouped bars
	ChartRatios  = "ratios"      // the ratio per row
)

// WriteCharts draws the report's charts into dir as PNG and SVG files and
// returns the names of the files written. A chart whose rows the report
// lacks (no overhead rows, no checkpoint phases, no ratio) is left out.
func (r *Report) WriteCharts(dir string) ([]string, error) {
	var files []string
	for _, c := range []struct {
		name string
		draw func(*Report) (chart, bool, error)
	}{{ChartScaling, scalingChart}, {ChartPhases, phasesChart}, {ChartRatios, ratioChart}} {
		ch, ok, err := c.draw(r)
		if err != nil {
			return files, fmt.Errorf("bench compare: chart %s: %w", c.name, err)
		}
		if !ok {
			continue
		}
		written, err := ch.save(dir, c.name)
		files = append(files, written...)
		if err != nil {
			return files, fmt.Errorf("bench compare: chart %s: %w", c.name, err)
		}
	}
	return files, nil
}

// A chart is a size and what draws it on a canvas of that size.
type chart struct {
	w, h vg.Length
	draw func(draw.Canvas)
}

// plotChart is a chart of one plot.
func plotChart(p *plot.Plot, w, h vg.Length) chart {
	return chart{w: w, h: h, draw: p.Draw}
}

// save writes the chart as name.png (144 dpi) and name.svg in dir.
func (c chart) save(dir, name string) ([]string, error) {
	var files []string
	for _, format := range []string{"png", "svg"} {
		var canvas vg.CanvasWriterTo
		if format == "png" {
			canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(c.w, c.h), vgimg.UseDPI(144))}
		} else {
			canvas = vgsvg.New(c.w, c.h)
		}
		c.draw(draw.New(canvas))
		path := filepath.Join(dir, name+"."+format)
		if err := writeTo(path, canvas); err != nil {
			return files, err
		}
		files = append(files, path)
	}
	return files, nil
}

// writeTo writes a canvas to a new file at path.
func writeTo(path string, canvas vg.CanvasWriterTo) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := canvas.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// logRange returns axis limits a factor pad beyond the smallest and
// largest of xs (all positive), for a log scale.
func logRange(xs []float64, pad float64) (lo, hi float64) {
	lo, hi = span(xs)
	return lo / pad, hi * pad
}
