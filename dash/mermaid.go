package dash

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

func mermaidLabel(s string) string { return `"` + mermaidEscape(s) + `"` }

// mermaidEscape makes user text (thunk and function names) safe inside a
// quoted Mermaid label: quotes, angle brackets and line breaks become
// entities, so a name can neither end the label nor inject markup.
func mermaidEscape(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "\n", "#10;", "\r", "#13;").Replace(s)
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
			label := mermaidEscape(fmt.Sprintf("%s × %d", gr.name, gr.nodes))
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
			fmt.Fprintf(bw, "    g%d[\"%s\"]\n", k, label) // escaped piece by piece: the <br/> is markup
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
