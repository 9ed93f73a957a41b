package dash

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

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
