package dash

import (
	"strings"

	"github.com/cairnlabs/cairn"
)

// graph is a run's thunks reduced to what the dashboard and the exports
// draw: names and edges, no values. Keeping it instead of the thunks lets
// the values of old runs be collected.
type graph struct {
	names  []string // display name of each node
	funcs  []string // short function name of each node: the group key
	inputs [][]int32
	depth  []int32 // longest path from a source; inputs come first
	index  map[uint64]int32
}

// newGraph numbers thunks in the order given. With walk, inputs missing from
// the list are added before their consumers (a depth-first walk in argument
// order, so the numbering is stable for a graph built the same way);
// without, edges to thunks outside the list are dropped.
func newGraph(thunks []*cairn.Thunk, walk bool) *graph {
	g := &graph{index: make(map[uint64]int32, len(thunks))}
	add := func(t *cairn.Thunk) {
		g.index[t.ID()] = int32(len(g.names))
		name, fn := names(t)
		g.names = append(g.names, name)
		g.funcs = append(g.funcs, fn)
		g.inputs = append(g.inputs, nil)
	}
	if walk {
		type frame struct {
			t    *cairn.Thunk
			in   []*cairn.Thunk
			next int
		}
		onStack := map[uint64]bool{}
		for _, root := range thunks {
			if root == nil {
				continue
			}
			if _, ok := g.index[root.ID()]; ok || onStack[root.ID()] {
				continue
			}
			stack := []frame{{t: root, in: root.Inputs()}}
			onStack[root.ID()] = true
			for len(stack) > 0 {
				f := &stack[len(stack)-1]
				if f.next < len(f.in) {
					d := f.in[f.next]
					f.next++
					if _, ok := g.index[d.ID()]; !ok && !onStack[d.ID()] {
						onStack[d.ID()] = true
						stack = append(stack, frame{t: d, in: d.Inputs()})
					}
					continue
				}
				add(f.t)
				delete(onStack, f.t.ID())
				stack = stack[:len(stack)-1]
			}
		}
	} else {
		for _, t := range thunks {
			if t != nil {
				add(t)
			}
		}
	}
	g.link(thunks, walk)
	return g
}

// link fills in the edges (each input once, in argument order) and the
// depths once every node is numbered.
func (g *graph) link(thunks []*cairn.Thunk, walk bool) {
	done := make([]bool, len(g.names))
	mark := make([]int32, len(g.names)) // mark[j] == i+1: j already an input of i
	stack := append([]*cairn.Thunk(nil), thunks...)
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if t == nil {
			continue
		}
		i, ok := g.index[t.ID()]
		if !ok || done[i] {
			continue
		}
		done[i] = true
		for _, d := range t.Inputs() {
			j, ok := g.index[d.ID()]
			if !ok || mark[j] == i+1 {
				continue
			}
			mark[j] = i + 1
			g.inputs[i] = append(g.inputs[i], j)
			if walk {
				stack = append(stack, d)
			}
		}
	}
	g.depth = make([]int32, len(g.names))
	// Inputs normally come first; iterate until stable for lists that do
	// not, bounded by the number of nodes.
	for round := 0; round < len(g.names); round++ {
		changed := false
		for i, in := range g.inputs {
			for _, j := range in {
				if g.depth[j]+1 > g.depth[i] {
					g.depth[i] = g.depth[j] + 1
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
}

// len returns the number of nodes.
func (g *graph) len() int { return len(g.names) }

// names returns what the dashboard calls a thunk and its function: the
// function's short name, and the thunk's own name if it has one.
func names(t *cairn.Thunk) (name, fn string) {
	name, fn = t.Name(), t.Name()
	if f := t.Func(); f != nil {
		fn = shortName(f.Name())
		if name == f.Name() {
			name = fn
		}
	}
	return name, fn
}

// shortName drops the import path of a Go function name:
// "github.com/x/y.sum" becomes "y.sum". Registered names without a dot after
// their last slash are kept whole.
func shortName(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i >= 0 && strings.IndexByte(name[i+1:], '.') >= 0 {
		return name[i+1:]
	}
	return name
}

// group is the thunks of one function.
type group struct {
	name  string
	nodes int
	depth int32 // least depth of its nodes
}

// groups aggregates the graph by function: the groups in order of first
// appearance, each node's group, and the edges between groups with their
// multiplicity, in a deterministic order.
func (g *graph) groups() ([]group, []int32, []groupEdge) {
	var gs []group
	of := make([]int32, g.len())
	byName := map[string]int32{}
	for i, fn := range g.funcs {
		k, ok := byName[fn]
		if !ok {
			k = int32(len(gs))
			byName[fn] = k
			gs = append(gs, group{name: fn, depth: g.depth[i]})
		}
		of[i] = k
		gs[k].nodes++
		gs[k].depth = min(gs[k].depth, g.depth[i])
	}
	count := map[[2]int32]int{}
	var edges []groupEdge
	for i, in := range g.inputs {
		for _, j := range in {
			e := [2]int32{of[j], of[i]}
			if _, ok := count[e]; !ok {
				edges = append(edges, groupEdge{from: e[0], to: e[1]})
			}
			count[e]++
		}
	}
	for k := range edges {
		edges[k].n = count[[2]int32{edges[k].from, edges[k].to}]
	}
	return gs, of, edges
}

// groupEdge is the edges from the thunks of one group to those of another.
type groupEdge struct {
	from, to int32
	n        int
}
