package benchcmp

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ratioChart draws each row's ratio as a horizontal bar from 1 (parity) to
// the ratio, on a log scale: to the left, cairn is faster. Rows without a
// ratio (the peer did not finish) are left out.
func ratioChart(r *Report) (chart, bool, error) {
	var names []string
	var ratios []float64
	for i := len(r.Rows) - 1; i >= 0; i-- { // the first row at the top
		if ratio, ok := r.Rows[i].Ratio(); ok && ratio > 0 {
			names = append(names, r.Rows[i].Name)
			ratios = append(ratios, ratio)
		}
	}
	if len(ratios) == 0 {
		return chart{}, false, nil
	}
	p := plot.New()
	// A short axis label: gonum/plot pads the right of the plot by the
	// label's width.
	p.Title.Text = "cairn's median time over Dask's, row by row (below 1: cairn is faster)"
	p.X.Label.Text = "cairn time ÷ Dask time (log scale)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.NominalY(names...)
	p.Add(plotter.NewGrid())

	// Bars start at 1: each is stacked on an undrawn bar of height 1.
	ones := make(plotter.Values, len(ratios))
	for i := range ones {
		ones[i] = 1
	}
	base, err := plotter.NewBarChart(ones, vg.Points(12))
	if err != nil {
		return chart{}, false, err
	}
	base.Horizontal = true
	for _, side := range []struct {
		name   string
		faster bool
	}{{"cairn faster", true}, {"cairn slower", false}} {
		vals := make(plotter.Values, len(ratios))
		var labels plotter.XYLabels
		for i, ratio := range ratios {
			if (ratio < 1) == side.faster {
				vals[i] = ratio - 1
				labels.XYs = append(labels.XYs, plotter.XY{X: ratio, Y: float64(i)})
				labels.Labels = append(labels.Labels, sig3(ratio))
			}
		}
		bars, err := plotter.NewBarChart(vals, vg.Points(12))
		if err != nil {
			return chart{}, false, err
		}
		bars.Horizontal = true
		bars.StackOn(base)
		bars.LineStyle.Width = 0
		bars.Color = fasterColor
		if !side.faster {
			bars.Color = slowerColor
		}
		p.Add(bars)
		p.Legend.Add(side.name, bars)
		if len(labels.XYs) == 0 {
			continue
		}
		lab, err := plotter.NewLabels(labels)
		if err != nil {
			return chart{}, false, err
		}
		for i := range lab.TextStyle {
			lab.TextStyle[i].YAlign = draw.YCenter
			lab.TextStyle[i].Font.Size = vg.Points(8)
			if side.faster {
				lab.TextStyle[i].XAlign = draw.XRight
			}
		}
		lab.Offset.X = vg.Points(4)
		if side.faster {
			lab.Offset.X = -lab.Offset.X
		}
		p.Add(lab)
	}
	parity, err := plotter.NewLine(plotter.XYs{{X: 1, Y: -0.5}, {X: 1, Y: float64(len(ratios)) - 0.5}})
	if err != nil {
		return chart{}, false, err
	}
	parity.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(parity)
	p.Legend.Add("parity (1)", parity)
	p.Legend.Top = true
	p.X.Min, p.X.Max = logRange(append(ratios, 1), 4)
	h := vg.Length(len(ratios))*vg.Points(20) + 1.6*vg.Inch
	return plotChart(p, 10*vg.Inch, h), true, nil
}
