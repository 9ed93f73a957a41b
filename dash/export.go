package dash

import (
	"fmt"
	"io"
	"strings"

	"github.com/cairnlabs/cairn"
)

// DefaultMaxNodes is the largest graph drawn thunk by thunk; larger graphs
// are drawn one node per function.
const DefaultMaxNodes = 500

// GraphOptions configure WriteDOT and WriteMermaid. A nil *GraphOptions
// means the defaults.
type GraphOptions struct {
	// MaxNodes is the largest graph drawn thunk by thunk. A larger graph is
	// drawn one node per function, labelled with its number of thunks in
	// each state, and one edge per pair of functions, labelled with the
	// number of edges it stands for. Default DefaultMaxNodes.
	MaxNodes int
	// Title is shown above the graph. Default: none.
	Title string
	// LeftToRight lays the graph out from left to right instead of from top
	// to bottom.
	LeftToRight bool
}

func (o *GraphOptions) maxNodes() int {
	if o == nil || o.MaxNodes <= 0 {
		return DefaultMaxNodes
	}
	return o.MaxNodes
}

// WriteDOT writes the graph of thunks, with their inputs, in Graphviz's DOT
// language, ready for `dot -Tsvg`. states gives each thunk's state by
// Thunk.ID; a thunk without one is drawn white, and a nil map draws the bare
// graph. Nodes are named n0, n1, ... in dependency order (inputs first, in
// argument order), so the output is the same for a graph built the same
// way.
func WriteDOT(w io.Writer, thunks []*cairn.Thunk, states map[uint64]State, opts *GraphOptions) error {
	g := newGraph(thunks, true)
	return writeDOT(w, g, statesOf(g, thunks, states), opts)
}

// WriteMermaid writes the graph of thunks as a Mermaid flowchart, for
// Markdown that GitHub and GitLab render. Arguments are those of WriteDOT.
func WriteMermaid(w io.Writer, thunks []*cairn.Thunk, states map[uint64]State, opts *GraphOptions) error {
	g := newGraph(thunks, true)
	return writeMermaid(w, g, statesOf(g, thunks, states), opts)
}

// statesOf lays states out by node; -1 marks an unknown state. A nil map
// gives nil.
func statesOf(g *graph, thunks []*cairn.Thunk, states map[uint64]State) []int8 {
	if states == nil {
		return nil
	}
	out := make([]int8, g.len())
	for i := range out {
		out[i] = -1
	}
	for id, i := range g.index {
		if s, ok := states[id]; ok && s < numStates {
			out[i] = int8(s)
		}
	}
	return out
}

// summary counts nodes by state: "129 thunks: 64 done, 1 failed".
func summary(n int, counts *[numStates]int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d thunks", n)
	sep := ": "
	for s := range numStates {
		if counts[s] > 0 {
			fmt.Fprintf(&b, "%s%d %s", sep, counts[s], s)
			sep = ", "
		}
	}
	return b.String()
}

func countStates(states []int8) *[numStates]int {
	var c [numStates]int
	for _, s := range states {
		if s >= 0 {
			c[s]++
		}
	}
	return &c
}

// groupCounts counts the states of each group's nodes.
func groupCounts(ngroups int, of []int32, states []int8) [][numStates]int {
	c := make([][numStates]int, ngroups)
	for i, s := range states {
		if s >= 0 {
			c[of[i]][s]++
		}
	}
	return c
}

// groupState is the state a group is coloured with: failed if any failed,
// running if any runs, otherwise its most common state.
func groupState(c *[numStates]int) int8 {
	if c[Failed] > 0 {
		return int8(Failed)
	}
	if c[Running] > 0 {
		return int8(Running)
	}
	best, bestN := int8(-1), 0
	for s := range numStates {
		if c[s] > bestN {
			best, bestN = int8(s), c[s]
		}
	}
	return best
}

// textColor is the colour of text on a state's fill: white on the dark ones.
func textColor(s int8) string {
	switch State(s) {
	case Checkpointed, Restored, Failed:
		return "#ffffff"
	}
	return "#1f2328"
}
