package dash

import (
	"bufio"
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

// darkStates are drawn with white text.
func textColor(s int8) string {
	switch State(s) {
	case Checkpointed, Restored, Failed:
		return "#ffffff"
	}
	return "#1f2328"
}

func dotQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	s = strings.ReplaceAll(s, "\n", `\n`)
	return `"` + s + `"`
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func writeDOT(w io.Writer, g *graph, states []int8, opts *GraphOptions) error {
	bw := bufio.NewWriter(w)
	dir := "TB"
	if opts != nil && opts.LeftToRight {
		dir = "LR"
	}
	fmt.Fprintf(bw, "digraph cairn {\n")
	fmt.Fprintf(bw, "\tgraph [rankdir=%s, fontname=\"Helvetica,Arial,sans-serif\", fontsize=12, labelloc=t, nodesep=0.15, ranksep=0.5];\n", dir)
	fmt.Fprintf(bw, "\tnode [shape=box, style=\"rounded,filled\", fontname=\"Helvetica,Arial,sans-serif\", fontsize=10, height=0.3, margin=\"0.08,0.03\", color=\"#6b7280\", fillcolor=\"#ffffff\"];\n")
	fmt.Fprintf(bw, "\tedge [color=\"#9aa3ad\", arrowsize=0.5];\n")
	var counts *[numStates]int
	if states != nil {
		counts = countStates(states)
	}
	title := ""
	if opts != nil {
		title = opts.Title
	}
	fmt.Fprintf(bw, "\tlabel=<%s>;\n", dotTitle(title, g.len(), counts))
	if g.len() <= opts.maxNodes() {
		for i, name := range g.names {
			attrs := fmt.Sprintf("label=%s", dotQuote(name))
			if states != nil && states[i] >= 0 {
				s := states[i]
				attrs += fmt.Sprintf(", fillcolor=%q, fontcolor=%q, tooltip=%s", State(s).Color(), textColor(s),
					dotQuote(name+": "+State(s).String()))
				if State(s) == Pruned {
					attrs += `, style="rounded,filled,dashed"`
				}
			}
			fmt.Fprintf(bw, "\tn%d [%s];\n", i, attrs)
		}
		for i, in := range g.inputs {
			for _, j := range in {
				fmt.Fprintf(bw, "\tn%d -> n%d;\n", j, i)
			}
		}
	} else {
		gs, of, edges := g.groups()
		var gc [][numStates]int
		if states != nil {
			gc = groupCounts(len(gs), of, states)
		}
		for k, gr := range gs {
			var c *[numStates]int
			if gc != nil {
				c = &gc[k]
			}
			fmt.Fprintf(bw, "\tg%d [shape=plain, style=\"\", label=<%s>];\n", k, groupTable(gr, c))
		}
		for _, e := range edges {
			if e.n > 1 {
				fmt.Fprintf(bw, "\tg%d -> g%d [label=\"×%d\", fontsize=9, fontcolor=\"#6b7280\"];\n", e.from, e.to, e.n)
			} else {
				fmt.Fprintf(bw, "\tg%d -> g%d;\n", e.from, e.to)
			}
		}
	}
	fmt.Fprintf(bw, "}\n")
	return bw.Flush()
}

// dotTitle is the graph's HTML-like label: the title and a legend of the
// states present, with their counts.
func dotTitle(title string, n int, counts *[numStates]int) string {
	var b strings.Builder
	if title != "" {
		fmt.Fprintf(&b, "<B>%s</B><BR/>", htmlEscape(title))
	}
	fmt.Fprintf(&b, "%d thunks", n)
	if counts != nil {
		sep := ": "
		for s := range numStates {
			if counts[s] > 0 {
				fmt.Fprintf(&b, `%s<FONT COLOR="%s">■</FONT> %d %s`, sep, stateBorder(State(s)), counts[s], State(s))
				sep = "  "
			}
		}
	}
	return b.String()
}

// stateBorder is a state's colour made visible on white (pruned is almost
// white).
func stateBorder(s State) string {
	if s == Pruned {
		return "#c4c9cf"
	}
	return s.Color()
}

// groupTable is a group node's HTML-like label: the function, how many
// thunks, and a row of state counts.
func groupTable(gr group, c *[numStates]int) string {
	var b strings.Builder
	cells := 0
	if c != nil {
		for s := range numStates {
			if c[s] > 0 {
				cells++
			}
		}
	}
	fmt.Fprintf(&b, `<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" STYLE="rounded" COLOR="#6b7280">`)
	fmt.Fprintf(&b, `<TR><TD COLSPAN="%d"><B>%s</B> × %d</TD></TR>`, max(cells, 1), htmlEscape(gr.name), gr.nodes)
	if cells > 0 {
		b.WriteString("<TR>")
		for s := range numStates {
			if c[s] > 0 {
				fmt.Fprintf(&b, `<TD BGCOLOR="%s"><FONT COLOR="%s" POINT-SIZE="9">%d %s</FONT></TD>`,
					State(s).Color(), textColor(int8(s)), c[s], State(s))
			}
		}
		b.WriteString("</TR>")
	}
	b.WriteString("</TABLE>")
	return b.String()
}

func mermaidLabel(s string) string {
	return `"` + strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(s) + `"`
}

func writeMermaid(w io.Writer, g *graph, states []int8, opts *GraphOptions) error {
	bw := bufio.NewWriter(w)
	if opts != nil && opts.Title != "" {
		fmt.Fprintf(bw, "---\ntitle: %s\n---\n", strings.ReplaceAll(opts.Title, "\n", " "))
	}
	dir := "TD"
	if opts != nil && opts.LeftToRight {
		dir = "LR"
	}
	fmt.Fprintf(bw, "flowchart %s\n", dir)
	if states != nil {
		fmt.Fprintf(bw, "%%%% %s\n", summary(g.len(), countStates(states)))
	} else {
		fmt.Fprintf(bw, "%%%% %d thunks\n", g.len())
	}
	used := map[int8][]string{}
	if g.len() <= opts.maxNodes() {
		for i, name := range g.names {
			fmt.Fprintf(bw, "    n%d[%s]\n", i, mermaidLabel(name))
			if states != nil && states[i] >= 0 {
				used[states[i]] = append(used[states[i]], fmt.Sprintf("n%d", i))
			}
		}
		for i, in := range g.inputs {
			for _, j := range in {
				fmt.Fprintf(bw, "    n%d --> n%d\n", j, i)
			}
		}
	} else {
		gs, of, edges := g.groups()
		var gc [][numStates]int
		if states != nil {
			gc = groupCounts(len(gs), of, states)
		}
		for k, gr := range gs {
			label := fmt.Sprintf("%s × %d", gr.name, gr.nodes)
			if gc != nil {
				var parts []string
				for s := range numStates {
					if gc[k][s] > 0 {
						parts = append(parts, fmt.Sprintf("%d %s", gc[k][s], State(s)))
					}
				}
				if len(parts) > 0 {
					label += "<br/>" + strings.Join(parts, ", ")
				}
				if s := groupState(&gc[k]); s >= 0 {
					used[s] = append(used[s], fmt.Sprintf("g%d", k))
				}
			}
			fmt.Fprintf(bw, "    g%d[%s]\n", k, strings.Replace(mermaidLabel(label), "#lt;br/#gt;", "<br/>", 1))
		}
		for _, e := range edges {
			if e.n > 1 {
				fmt.Fprintf(bw, "    g%d -->|×%d| g%d\n", e.from, e.n, e.to)
			} else {
				fmt.Fprintf(bw, "    g%d --> g%d\n", e.from, e.to)
			}
		}
	}
	for s := range int8(numStates) {
		ids := used[s]
		if len(ids) == 0 {
			continue
		}
		dash := ""
		if State(s) == Pruned {
			dash = ",stroke-dasharray:4 3"
		}
		fmt.Fprintf(bw, "    classDef %s fill:%s,color:%s,stroke:#6b7280%s\n", State(s), State(s).Color(), textColor(s), dash)
		fmt.Fprintf(bw, "    class %s %s\n", strings.Join(ids, ","), State(s))
	}
	return bw.Flush()
}
