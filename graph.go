package cairn

import (
	"errors"
	"github.com/cairnlabs/cairn/internal/sched"
)

// graph is one run's thunks, numbered, with their dependencies.
type graph struct {
	thunks []*Thunk // dependencies before consumers
	index  map[*Thunk]int32
	spec   sched.Spec
	// external marks spawned thunks: their values come from their own run.
	external []bool
	// argNode[argStart[i]+j] is the node of node i's argument j when that
	// argument is a thunk (-1 otherwise): no map look-ups while running.
	argStart []int32
	argNode  []int32
}

// compile collects every thunk the targets need, in dependency order, and
// returns the first build error met. A spawned thunk other than self is a
// leaf: its value comes from its own run. It walks with an explicit stack:
// chains may be a million deep.
func compile(targets []*Thunk, self *Thunk) (*graph, error) {
	g := &graph{index: make(map[*Thunk]int32)}
	type frame struct {
		t    *Thunk
		next int // next argument to visit
	}
	var stack []frame
	for _, root := range targets {
		if _, seen := g.index[root]; seen {
			continue
		}
		stack = append(stack, frame{t: root})
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			t := f.t
			if f.next == 0 {
				if t.err != nil {
					return nil, t.err
				}
				if t.fn == nil {
					return nil, &BuildError{Name: t.Name(), CallSite: t.CallSite(), Err: errors.New("thunk was not made by Delayed")}
				}
			}
			leaf := t != self && t.spawn.Load() != nil
			pushed := false
			if !leaf {
				for f.next < len(t.args) {
					a, ok := t.args[f.next].(*Thunk)
					f.next++
					if !ok {
						continue
					}
					if _, seen := g.index[a]; seen {
						continue
					}
					g.index[a] = -1 // on the stack
					stack = append(stack, frame{t: a})
					pushed = true
					break
				}
			}
			if pushed {
				continue
			}
			g.index[t] = int32(len(g.thunks))
			g.thunks = append(g.thunks, t)
			g.external = append(g.external, leaf)
			stack = stack[:len(stack)-1]
		}
	}
	n := int32(len(g.thunks))
	g.spec.N = n
	g.spec.DepStart = make([]int32, n+1)
	var prio []int32
	mark := make([]int32, n) // mark[d] == i+1: d already listed for node i
	g.argStart = make([]int32, n+1)
	for i, t := range g.thunks {
		if !g.external[i] {
			for _, a := range t.args {
				d, ok := a.(*Thunk)
				if !ok {
					g.argNode = append(g.argNode, -1)
					continue
				}
				di := g.index[d]
				g.argNode = append(g.argNode, di)
				if mark[di] != int32(i)+1 {
					mark[di] = int32(i) + 1
					g.spec.Deps = append(g.spec.Deps, di)
				}
			}
		}
		g.spec.DepStart[i+1] = int32(len(g.spec.Deps))
		g.argStart[i+1] = int32(len(g.argNode))
		if t.opts != nil && t.opts.Priority != 0 {
			if prio == nil {
				prio = make([]int32, n)
			}
			prio[i] = int32(t.opts.Priority)
		}
	}
	g.spec.Priority = prio
	for _, t := range targets {
		g.spec.Targets = append(g.spec.Targets, g.index[t])
	}
	return g, nil
}
