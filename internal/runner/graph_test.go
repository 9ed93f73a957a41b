package runner

import "testing"

// TestCompileSizeHint checks the bound compile sizes its tables by: the
// nodes on each path, capped by the span of IDs a node can need, so that
// a lattice of shared inputs does not make compile allocate for
// exponentially many nodes.
func TestCompileSizeHint(t *testing.T) {
	add, err := FuncOf(func(a, b int) int { return a + b })
	if err != nil {
		t.Fatal(err)
	}
	one, err := FuncOf(func() int { return 1 })
	if err != nil {
		t.Fatal(err)
	}
	id := uint64(0)
	node := func(fn *Func, args ...any) *Node {
		id++
		n := &Node{ID: id, Fn: fn}
		n.SetArgs(args)
		return n
	}
	// A tree: the bound is exact.
	leaves := []*Node{node(one), node(one), node(one), node(one)}
	top := node(add, node(add, leaves[0], leaves[1]), node(add, leaves[2], leaves[3]))
	if top.reach != 7 {
		t.Errorf("a tree of 7 nodes: reach %d, want 7", top.reach)
	}
	// A ladder where each node uses the one before twice: 2^40 paths,
	// 41 nodes.
	x := node(one)
	for range 40 {
		x = node(add, x, x)
	}
	if x.reach != 41 {
		t.Errorf("a ladder of 41 nodes: reach %d, want 41 (the span of its IDs)", x.reach)
	}
	g, err := compile([]*Node{x, top}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.nodes) != 41+7 {
		t.Errorf("compiled %d nodes, want 48", len(g.nodes))
	}
}
