package benchcmp

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// scalingChart draws the time per task against the number of tasks, both
// on log scales: a line per side and shape, and a cross where the peer did
// not finish within its limit (drawn at the limit over the tasks, the
// least time per task that would not have finished).
func scalingChart(r *Report) (chart, bool, error) {
	type series struct{ cairn, peer, dnf plotter.XYs }
	byShape := map[string]*series{}
	var shapes []string
	var ys, xs []float64
	for _, row := range r.Rows {
		if row.Shape == "" || row.Tasks == 0 {
			continue
		}
		s := byShape[row.Shape]
		if s == nil {
			s = &series{}
			byShape[row.Shape] = s
			shapes = append(shapes, row.Shape)
		}
		n := float64(row.Tasks)
		s.cairn = append(s.cairn, plotter.XY{X: n, Y: row.CairnMedian() / n * 1e6})
		if p, ok := row.PeerMedian(); ok {
			s.peer = append(s.peer, plotter.XY{X: n, Y: p / n * 1e6})
		} else if row.PeerDNF {
			s.dnf = append(s.dnf, plotter.XY{X: n, Y: row.PeerLimit.Seconds() / n * 1e6})
		}
		xs = append(xs, n)
	}
	if len(shapes) == 0 {
		return chart{}, false, nil
	}
	p := plot.New()
	p.Title.Text = "Scheduler overhead: time per task against graph size (threads, 2 workers)"
	p.X.Label.Text = "tasks in the graph (log scale)"
	p.Y.Label.Text = "time per task, µs (log scale)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.TickerFunc(countTicks), plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	var dnfs plotter.XYs
	for i, shape := range shapes {
		s := byShape[shape]
		for _, side := range []struct {
			name string
			xys  plotter.XYs
			col  color.Color
		}{{"cairn", s.cairn, cairnColor}, {"Dask", s.peer, peerColor}} {
			if len(side.xys) == 0 {
				continue
			}
			slices.SortFunc(side.xys, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
			line, points, err := plotter.NewLinePoints(side.xys)
			if err != nil {
				return chart{}, false, err
			}
			line.Color, points.Color = side.col, side.col
			line.Width = vg.Points(1.5)
			if i%2 == 1 {
				line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
				points.Shape = draw.TriangleGlyph{}
			} else {
				points.Shape = draw.CircleGlyph{}
			}
			points.Radius = vg.Points(3)
			p.Add(line, points)
			p.Legend.Add(fmt.Sprintf("%s, %s", side.name, shape), line, points)
			for _, xy := range side.xys {
				ys = append(ys, xy.Y)
			}
		}
		dnfs = append(dnfs, s.dnf...)
	}
	if len(dnfs) > 0 {
		sc, err := plotter.NewScatter(dnfs)
		if err != nil {
			return chart{}, false, err
		}
		sc.Shape, sc.Color, sc.Radius = draw.CrossGlyph{}, slowerColor, vg.Points(5)
		p.Add(sc)
		limit := fmtLimit(r.PeerLimit)
		p.Legend.Add(fmt.Sprintf("Dask did not finish within %s (drawn at %s ÷ tasks)", limit, limit), sc)
		for _, xy := range dnfs {
			ys = append(ys, xy.Y)
		}
	}
	p.X.Min, p.X.Max = logRange(xs, 2)
	p.Y.Min, p.Y.Max = logRange(ys, 3)
	p.Y.Max *= 10 // room for the legend above the lines
	return plotChart(p, 8*vg.Inch, 5.5*vg.Inch), true, nil
}

// countTicks are a log axis's ticks with the powers of ten named as task
// counts: 1k, 10k, 1M.
func countTicks(lo, hi float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label != "" && t.Value >= 1000 && t.Value == math.Trunc(t.Value) {
			ticks[i].Label = count(int(t.Value))
		}
	}
	return ticks
}
