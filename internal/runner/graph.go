package runner

import (
	"errors"

	"github.com/cairnlabs/cairn/internal/sched"
)

// BuildErrorFunc makes the error for a node that cannot run as written
// (package cairn's *BuildError).
type BuildErrorFunc func(n *Node, err error) error

// graph is one run's nodes, numbered, with their dependencies.
type graph struct {
	nodes []*Node // dependencies before consumers
	index map[*Node]int32
	spec  sched.Spec
	// external marks spawned nodes: their values come from their own run.
	external []bool
	// argNode[argStart[i]+j] is the node of node i's argument j when that
	// argument is a node (-1 otherwise): no map look-ups while running.
	argStart []int32
	argNode  []int32
}

// frame is a node on compile's stack.
type frame struct {
	n       *Node
	visited bool
	arg     int // next argument to look at
	elem    int // next element of a composite argument
}

// compile collects every node the targets need, in dependency order, and
// returns the first build error met. A spawned node other than self is a
// leaf: its value comes from its own run. It walks with an explicit stack:
// chains may be a million deep.
func compile(targets []*Node, self *Node, buildErr BuildErrorFunc) (*graph, error) {
	// Room for the largest target's nodes (targets often share most of
	// theirs): more is grown into.
	hint := len(targets)
	for _, t := range targets {
		hint = max(hint, int(t.reach)+len(targets))
	}
	hint = min(hint, maxReach)
	g := &graph{index: make(map[*Node]int32, hint), nodes: make([]*Node, 0, hint), external: make([]bool, 0, hint)}
	var stack []frame
	for _, root := range targets {
		if _, seen := g.index[root]; seen {
			continue
		}
		stack = append(stack, frame{n: root})
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			n := f.n
			leaf := n != self && n.spawn.Load() != nil
			if !f.visited {
				if n.Err != nil {
					return nil, n.Err
				}
				if n.Fn == nil {
					return nil, buildErr(n, errors.New("thunk was not made by Delayed"))
				}
				f.visited = true
			}
			pushed := false
			for !leaf {
				d := f.nextInput()
				if d == nil {
					break
				}
				if _, seen := g.index[d]; seen {
					continue
				}
				g.index[d] = -1 // on the stack
				stack = append(stack, frame{n: d})
				pushed = true
				break
			}
			if pushed {
				continue
			}
			g.index[n] = int32(len(g.nodes))
			g.nodes = append(g.nodes, n)
			g.external = append(g.external, leaf)
			stack = stack[:len(stack)-1]
		}
	}
	g.link(targets)
	return g, nil
}

// nextInput returns the frame's next input node, or nil when there are
// no more.
func (f *frame) nextInput() *Node {
	for f.arg < len(f.n.Args) {
		switch a := f.n.Args[f.arg].(type) {
		case *Node:
			f.arg++
			return a
		case *Composite:
			for f.elem < len(a.Elems) {
				e := a.Elems[f.elem]
				f.elem++
				if d, ok := e.(*Node); ok {
					return d
				}
			}
		}
		f.arg++
		f.elem = 0
	}
	return nil
}

// link fills the spec: dependencies in compressed-row form, priorities,
// targets, and each argument's node.
func (g *graph) link(targets []*Node) {
	n := int32(len(g.nodes))
	g.spec.N = n
	g.spec.DepStart = make([]int32, n+1)
	var prio []int32
	mark := make([]int32, n) // mark[d] == i+1: d already listed for node i
	g.argStart = make([]int32, n+1)
	args, deps := 0, 0
	for i, t := range g.nodes {
		if !g.external[i] {
			args += len(t.Args)
			t.Inputs(func(*Node) { deps++ })
		}
	}
	g.argNode = make([]int32, 0, args)
	g.spec.Deps = make([]int32, 0, deps)
	for i, t := range g.nodes {
		if !g.external[i] {
			dep := func(d *Node) {
				di := g.index[d]
				if mark[di] != int32(i)+1 {
					mark[di] = int32(i) + 1
					g.spec.Deps = append(g.spec.Deps, di)
				}
			}
			for _, a := range t.Args {
				d, ok := a.(*Node)
				if !ok {
					g.argNode = append(g.argNode, -1)
					if c, ok := a.(*Composite); ok {
						for _, e := range c.Elems {
							if d, ok := e.(*Node); ok {
								dep(d)
							}
						}
					}
					continue
				}
				g.argNode = append(g.argNode, g.index[d])
				dep(d)
			}
		}
		g.spec.DepStart[i+1] = int32(len(g.spec.Deps))
		g.argStart[i+1] = int32(len(g.argNode))
		if t.Opts != nil && t.Opts.Priority != 0 {
			if prio == nil {
				prio = make([]int32, n)
			}
			prio[i] = int32(t.Opts.Priority)
		}
	}
	g.spec.Priority = prio
	for _, t := range targets {
		g.spec.Targets = append(g.spec.Targets, g.index[t])
	}
}
