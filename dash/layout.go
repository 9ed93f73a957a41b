package dash

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// layout is the drawing of a run's graph that the web page renders: boxes
// placed in layers by depth, inputs above consumers. It is computed once
// per run, on the server, so that the page only paints.
type layout struct {
	Mode   string        `json:"mode"` // "nodes": one box per thunk; "groups": one per function
	W      float64       `json:"w"`
	H      float64       `json:"h"`
	Nodes  []layoutNode  `json:"nodes"`
	Edges  [][2]int32    `json:"edges"`
	EdgeN  []int         `json:"edgeN,omitempty"` // edges each group edge stands for
	Layers []layoutLayer `json:"layers"`
}

type layoutNode struct {
	X     float64 `json:"x"` // centre
	Y     float64 `json:"y"`
	W     float64 `json:"w"`
	H     float64 `json:"h"`
	Label string  `json:"label,omitempty"` // drawn inside the box; empty for small boxes
	Title string  `json:"title"`           // tooltip
	Fn    string  `json:"fn"`
	N     int     `json:"n,omitempty"` // thunks in a group
}

// layoutLayer labels a layer of boxes by its most common function.
type layoutLayer struct {
	Y     float64 `json:"y"`
	Label string  `json:"label"` // the function, without its package
	Title string  `json:"title"` // the function, with its package
	N     int     `json:"n"`     // its thunks in the layer
	More  int     `json:"more"`  // thunks of other functions in the layer
}

// Geometry of the drawing, in SVG user units.
const (
	labelW      = 150.0 // left margin for layer labels
	bigW, bigH  = 128.0, 28.0
	dotS        = 18.0 // side of a small box
	gap         = 6.0
	layerGap    = 46.0
	perRowDots  = 32 // small boxes per row before wrapping
	perRowBoxes = 8  // labelled boxes in a layer: more become small ones
	groupW      = 236.0
	groupH      = 56.0
	perRowGrp   = 5
)

// layoutNodes draws every thunk: layers by depth, ordered within a layer by
// the mean position of their inputs, wrapped into rows.
func layoutNodes(g *graph) *layout {
	n := g.len()
	byDepth := map[int32][]int32{}
	var depths []int32
	for i := range n {
		d := g.depth[i]
		if _, ok := byDepth[d]; !ok {
			depths = append(depths, d)
		}
		byDepth[d] = append(byDepth[d], int32(i))
	}
	slices.Sort(depths)
	lay := &layout{Mode: "nodes", Nodes: make([]layoutNode, n)}
	pos := make([]float64, n) // order key: x position once placed
	y := 16.0
	maxW := 0.0
	for _, d := range depths {
		nodes := byDepth[d]
		bary := make(map[int32]float64, len(nodes))
		for _, i := range nodes {
			if in := g.inputs[i]; len(in) > 0 {
				s := 0.0
				for _, j := range in {
					s += pos[j]
				}
				bary[i] = s / float64(len(in))
			} else {
				bary[i] = float64(i)
			}
		}
		slices.SortStableFunc(nodes, func(a, b int32) int {
			return cmp.Or(cmp.Compare(bary[a], bary[b]), cmp.Compare(a, b))
		})
		big := len(nodes) <= perRowBoxes
		w, h, per := dotS, dotS, perRowDots
		if big {
			w, h, per = bigW, bigH, perRowBoxes
		}
		rows := (len(nodes) + per - 1) / per
		per = (len(nodes) + rows - 1) / rows // balance the rows
		lay.Layers = append(lay.Layers, layerOf(g, nodes, y+h/2))
		for k, i := range nodes {
			row, col := k/per, k%per
			x := labelW + float64(col)*(w+gap) + w/2
			nd := layoutNode{X: x, Y: y + float64(row)*(h+gap) + h/2, W: w, H: h,
				Title: g.names[i], Fn: g.funcs[i]}
			if big {
				nd.Label = g.names[i]
				if nd.Label == g.funcs[i] {
					nd.Label = bare(nd.Label)
				}
			}
			lay.Nodes[i] = nd
			pos[i] = float64(k) / float64(len(nodes)) // order within the layer, for the next ones
			maxW = max(maxW, x+w/2)
		}
		y += float64(rows)*(h+gap) - gap + layerGap
	}
	lay.W, lay.H = maxW+16, y-layerGap+16
	for i, in := range g.inputs {
		for _, j := range in {
			lay.Edges = append(lay.Edges, [2]int32{j, int32(i)})
		}
	}
	return lay
}

// layerOf labels a layer by its most common function.
func layerOf(g *graph, nodes []int32, y float64) layoutLayer {
	count := map[string]int{}
	var order []string
	for _, i := range nodes {
		fn := g.funcs[i]
		if count[fn] == 0 {
			order = append(order, fn)
		}
		count[fn]++
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(count[b], count[a]) })
	top := order[0]
	return layoutLayer{Y: y, Label: bare(top), Title: top, N: count[top], More: len(nodes) - count[top]}
}

// bare drops the package qualifier of a short function name: "main.sum"
// becomes "sum"; names without one are kept.
func bare(fn string) string {
	if i := strings.IndexByte(fn, '.'); i > 0 && i < len(fn)-1 && !strings.ContainsAny(fn[:i], " /") {
		return fn[i+1:]
	}
	return fn
}

// layoutGroups draws one box per function, in layers by the least depth of
// their thunks.
func layoutGroups(g *graph) (*layout, []int32) {
	gs, of, edges := g.groups()
	byDepth := map[int32][]int32{}
	var depths []int32
	for k, gr := range gs {
		if _, ok := byDepth[gr.depth]; !ok {
			depths = append(depths, gr.depth)
		}
		byDepth[gr.depth] = append(byDepth[gr.depth], int32(k))
	}
	slices.Sort(depths)
	lay := &layout{Mode: "groups", Nodes: make([]layoutNode, len(gs))}
	y := 16.0
	maxW := 0.0
	for _, d := range depths {
		ks := byDepth[d]
		for c, k := range ks {
			row, col := c/perRowGrp, c%perRowGrp
			x := 24 + float64(col)*(groupW+2*gap*4) + groupW/2
			lay.Nodes[k] = layoutNode{X: x, Y: y + float64(row)*(groupH+layerGap/2) + groupH/2, W: groupW, H: groupH,
				Label: bare(gs[k].name), Title: fmt.Sprintf("%s: %d thunks", gs[k].name, gs[k].nodes), Fn: gs[k].name, N: gs[k].nodes}
			maxW = max(maxW, x+groupW/2)
		}
		rows := (len(ks) + perRowGrp - 1) / perRowGrp
		y += float64(rows)*(groupH+layerGap/2) - layerGap/2 + layerGap
	}
	lay.W, lay.H = maxW+24, y-layerGap+16
	for _, e := range edges {
		lay.Edges = append(lay.Edges, [2]int32{e.from, e.to})
		lay.EdgeN = append(lay.EdgeN, e.n)
	}
	return lay, of
}
