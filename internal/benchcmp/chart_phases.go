package benchcmp

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// phasePanels are the phases chart's two panels: the first-run phases,
// and the restore phases, a hundred times shorter; each in its own unit.
var phasePanels = []struct {
	title  string
	phases []string
}{
	{"computing and writing checkpoints", []string{PhaseNone, PhaseFirst, PhaseFirstFsync}},
	{"restoring from them", []string{PhaseRestore, PhaseRestoreLast}},
}

// phasesChart draws the checkpoint phases of the last workload that has
// them as grouped bars, cairn beside Dask, each bar labelled with its
// time.
func phasesChart(r *Report) (chart, bool, error) {
	last := ""
	for _, row := range r.Rows {
		if row.Phase != "" {
			last = row.Workload
		}
	}
	if last == "" {
		return chart{}, false, nil
	}
	byPhase := map[string]Row{}
	for _, row := range r.Rows {
		if row.Workload == last && row.Phase != "" {
			byPhase[row.Phase] = row
		}
	}
	var plots []*plot.Plot
	for _, panel := range phasePanels {
		p, err := phasePlot(byPhase, panel.title, panel.phases)
		if err != nil {
			return chart{}, false, err
		}
		plots = append(plots, p)
	}
	title := "Seed workload " + last[len("checkpoints "):] + " with per-block checkpoints: median time per phase"
	w, h := 10*vg.Inch, 5*vg.Inch
	return chart{w: w, h: h, draw: func(dc draw.Canvas) {
		style := text.Style{Color: color.Black, Font: font.From(plot.DefaultFont, vg.Points(14)), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
		dc.FillText(style, vg.Point{X: w / 2, Y: h - vg.Points(6)}, title)
		tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadTop: vg.Points(30), PadX: vg.Points(20), PadLeft: vg.Points(4), PadRight: vg.Points(4), PadBottom: vg.Points(4)}
		canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
		for i, p := range plots {
			p.Draw(canvases[0][i])
		}
	}}, true, nil
}

// phasePlot is one panel: a pair of bars for each phase, in the unit that
// suits the longest.
func phasePlot(byPhase map[string]Row, title string, phases []string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.NominalX(phases...)
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	// secs[side][i] is a side's median for phases[i] (0: none), labels[side][i] its label.
	var secs [2][]float64
	var labels [2][]string
	var top float64
	for _, ph := range phases {
		row, ok := byPhase[ph]
		for side := range 2 {
			v, have, label := 0.0, false, "–"
			switch {
			case !ok:
			case side == 0:
				v, have = row.CairnMedian(), true
			case row.PeerDNF:
				label = "did not finish"
			default:
				v, have = row.PeerMedian()
			}
			if have {
				label = fmtDur(v)
			}
			secs[side] = append(secs[side], v)
			labels[side] = append(labels[side], label)
			top = max(top, v)
		}
	}
	scale, unit := unitOf(top)
	p.Y.Label.Text = "median time, " + unit
	const barWidth = vg.Length(28)
	for side, name := range []string{"cairn", "Dask"} {
		vals := make(plotter.Values, len(phases))
		var xyl plotter.XYLabels
		for i := range phases {
			vals[i] = secs[side][i] / scale
			xyl.XYs = append(xyl.XYs, plotter.XY{X: float64(i), Y: vals[i]})
			xyl.Labels = append(xyl.Labels, labels[side][i])
		}
		bars, err := plotter.NewBarChart(vals, barWidth)
		if err != nil {
			return nil, err
		}
		bars.Color = []color.Color{cairnColor, peerColor}[side]
		bars.LineStyle.Width = 0
		offset := barWidth / 2
		if side == 0 {
			offset = -offset
		}
		bars.Offset = offset
		lab, err := plotter.NewLabels(xyl)
		if err != nil {
			return nil, err
		}
		lab.Offset = vg.Point{X: offset, Y: vg.Points(3)}
		for i := range lab.TextStyle {
			lab.TextStyle[i].XAlign = draw.XCenter
			lab.TextStyle[i].Font.Size = vg.Points(8)
		}
		p.Add(bars, lab)
		p.Legend.Add(name, bars)
	}
	p.Y.Min, p.Y.Max = 0, 1
	if top > 0 {
		p.Y.Max = top / scale * 1.3 // room for the labels and the legend
	}
	return p, nil
}
