package darray

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestLayout(t *testing.T) {
	for _, c := range []struct {
		shape, blocks, grid []int
		last                Domain // the last block's subdomain
	}{
		{[]int{10}, []int{3}, []int{4}, Domain{[]int{9}, []int{1}}},
		{[]int{1024, 1024}, []int{128, 128}, []int{8, 8}, Domain{[]int{896, 896}, []int{128, 128}}},
		{[]int{7, 5}, []int{3, 2}, []int{3, 3}, Domain{[]int{6, 4}, []int{1, 1}}},
		{[]int{5, 7}, []int{8, 8}, []int{1, 1}, Domain{[]int{0, 0}, []int{5, 7}}},
		{[]int{4, 6, 5}, []int{2, 4, 5}, []int{2, 2, 1}, Domain{[]int{2, 4, 0}, []int{2, 2, 5}}},
	} {
		l, err := newLayout(Blocks(c.blocks...), c.shape)
		if err != nil {
			t.Fatalf("%v in %v: %v", c.shape, c.blocks, err)
		}
		if !slices.Equal(l.grid, c.grid) {
			t.Errorf("%v in %v: grid %v, want %v", c.shape, c.blocks, l.grid, c.grid)
		}
		if got := l.sub(l.coords(l.nblocks() - 1)); !got.Equal(c.last) {
			t.Errorf("%v in %v: last block %v, want %v", c.shape, c.blocks, got, c.last)
		}
		// The blocks tile the domain exactly once.
		seen := make([]int, product(c.shape))
		for i := range l.nblocks() {
			co := l.coords(i)
			if j, err := l.index(co); err != nil || j != i {
				t.Fatalf("index(coords(%d)) = %d, %v", i, j, err)
			}
			eachRow(c.shape, l.sub(co), func(_, at, n int) {
				for k := at; k < at+n; k++ {
					seen[k]++
				}
			})
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("%v in %v: element %d covered %d times", c.shape, c.blocks, k, n)
			}
		}
	}
}

func TestArrayAccessors(t *testing.T) {
	a := must(Zeros[int32](Blocks(4, 3), []int{10, 7}))
	if got := a.Shape(); !slices.Equal(got, []int{10, 7}) {
		t.Errorf("Shape = %v", got)
	}
	if got := a.Grid(); !slices.Equal(got, []int{3, 3}) {
		t.Errorf("Grid = %v", got)
	}
	if a.NumBlocks() != 9 || len(a.Chunks()) != 9 || a.Len() != 70 || a.NDims() != 2 {
		t.Errorf("NumBlocks %d, Chunks %d, Len %d, NDims %d", a.NumBlocks(), len(a.Chunks()), a.Len(), a.NDims())
	}
	if got := a.Subdomain(5).String(); got != "[4:8, 6:7]" {
		t.Errorf("Subdomain(5) = %s", got)
	}
	if got := a.Domain().String(); got != "[0:10, 0:7]" {
		t.Errorf("Domain = %s", got)
	}
	th, err := a.Block(1, 2)
	if err != nil || th != a.Chunks()[5] {
		t.Errorf("Block(1, 2) = %v, %v; want chunk 5", th, err)
	}
	if got := a.String(); got != "Array[int32] 10×7 in Blocks(4, 3)" {
		t.Errorf("String = %q", got)
	}
	if got := a.Subdomains(); len(got) != 9 || !got[8].Equal(Domain{[]int{8, 6}, []int{2, 1}}) {
		t.Errorf("Subdomains = %v", got)
	}
}

func TestBadInput(t *testing.T) {
	ok2 := must(Zeros[float64](Blocks(2, 2), []int{4, 4}))
	other := must(Zeros[float64](Blocks(2, 2), []int{4, 5}))
	reblocked := must(Zeros[float64](Blocks(4, 1), []int{4, 4}))
	vec := must(Zeros[float64](Blocks(2), []int{4}))
	for _, c := range []struct {
		name string
		err  error
		want error
		says []string // substrings of the message
	}{
		{"zero block", second(Randn(Blocks(0, 128), []int{1024, 1024})), ErrBlocks, []string{"Blocks(0, 128)", "1024×1024", "positive"}},
		{"negative block", second(Zeros[int](Blocks(-3), []int{9})), ErrBlocks, []string{"Blocks(-3)", "positive"}},
		{"too few block sizes", second(Ones[int64](Blocks(4), []int{8, 8})), ErrBlocks, []string{"Blocks(4)", "8×8", "one block size per dimension"}},
		{"empty shape", second(Rand(Blocks(), nil)), ErrShape, []string{"no dimensions"}},
		{"zero size", second(Fill(Blocks(2, 2), []int{0, 4}, 1.5)), ErrShape, []string{"0×4", "positive"}},
		{"negative size", second(Zeros[float32](Blocks(2), []int{-1})), ErrShape, []string{"-1"}},
		{"distribute length", second(Distribute(Blocks(2, 2), []int{3, 3}, make([]float64, 8))), ErrShape, []string{"8 elements", "3×3", "9"}},
		{"distribute empty dense", second(DistributeDense(Blocks(2, 2), nil)), ErrShape, []string{"empty"}},
		{"add shapes", second(Add(ok2, other)), ErrShape, []string{"4×4", "4×5"}},
		{"sub blocks", second(Sub(ok2, reblocked)), ErrShape, []string{"Blocks(2, 2)", "Blocks(4, 1)"}},
		{"mul nil", second(Mul(ok2, nil)), ErrShape, nil},
		{"matmul inner", second(MatMul(ok2, must(Zeros[float64](Blocks(2, 2), []int{5, 4})))), ErrShape, []string{"4×4", "5×4"}},
		{"matmul 1-D", second(MatMul(ok2, vec)), ErrShape, []string{"2-D"}},
		{"matmul inner blocks", second(MatMul(ok2, reblocked)), ErrBlocks, []string{"Blocks(2, 2)", "Blocks(4, 1)"}},
		{"block index", second(ok2.Block(2, 0)), ErrIndex, []string{"2×2"}},
		{"block index count", second(ok2.Block(0)), ErrIndex, []string{"1 indices"}},
		{"dense 3-D", second(CollectDense(t.Context(), newScheduler(t, 1), must(Zeros[float64](Blocks(1, 1, 1), []int{1, 1, 1})))), ErrShape, []string{"1×1×1"}},
	} {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v does not match %v", c.name, c.err, c.want)
		}
		for _, s := range c.says {
			if !strings.Contains(c.err.Error(), s) {
				t.Errorf("%s: %q does not mention %q", c.name, c.err, s)
			}
		}
	}
	if _, err := FromFunc[int](Blocks(1), []int{1}, nil); err == nil {
		t.Error("FromFunc(nil): no error")
	}
}

func second[A, B any](_ A, b B) B { return b }
