package darray

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn"
	"gonum.org/v1/gonum/mat"
)

// opsCase is a pair of matrices and the blocks to cut them into: a is r×m,
// b is m×c, and bb (for the elementwise ops) is r×m like a.
type opsCase struct {
	r, m, c     int
	br, bm, bc  int
	parallelism int
}

func (c opsCase) String() string {
	return fmt.Sprintf("%dx%dx%d/%dx%dx%d/p%d", c.r, c.m, c.c, c.br, c.bm, c.bc, c.parallelism)
}

var opsTable = []opsCase{
	{1, 1, 1, 1, 1, 1, 1},
	{4, 4, 4, 2, 2, 2, 2},
	{7, 5, 3, 3, 2, 2, 2},    // ragged everywhere
	{16, 9, 11, 16, 4, 5, 8}, // one block row
	{10, 40, 6, 3, 4, 6, 2},  // 10 inner blocks: a tree of partial products
	{33, 17, 20, 8, 8, 7, 3}, // ragged, several of everything
	{5, 70, 5, 5, 7, 5, 2},   // 10 inner blocks of 7
	{64, 64, 64, 64, 64, 64, 1},
}

func TestOpsMatchGonum(t *testing.T) {
	for _, c := range opsTable {
		t.Run(c.String(), func(t *testing.T) { checkOps(t, c, rand.New(rand.NewPCG(uint64(c.r), uint64(c.c)))) })
	}
}

// TestOpsRandomised runs the same checks on random shapes and blocks.
func TestOpsRandomised(t *testing.T) {
	src := rand.New(rand.NewPCG(2024, 5))
	n := 40
	if testing.Short() {
		n = 10
	}
	for range n {
		c := opsCase{r: 1 + src.IntN(30), m: 1 + src.IntN(30), c: 1 + src.IntN(30), parallelism: 1 + src.IntN(4)}
		c.br, c.bm, c.bc = 1+src.IntN(c.r+2), 1+src.IntN(c.m+2), 1+src.IntN(c.c+2)
		t.Run(c.String(), func(t *testing.T) { checkOps(t, c, src) })
	}
}

func checkOps(t *testing.T, c opsCase, src *rand.Rand) {
	s := newScheduler(t, c.parallelism)
	am := randDense(c.r, c.m, src.NormFloat64)
	bm := randDense(c.m, c.c, src.NormFloat64)
	em := randDense(c.r, c.m, src.NormFloat64)
	a := must(DistributeDense(Blocks(c.br, c.bm), am))
	b := must(DistributeDense(Blocks(c.bm, c.bc), bm))
	e := must(DistributeDense(Blocks(c.br, c.bm), em))
	const tol = 1e-12

	denseEqual(t, "Distribute+Collect", collectDense(t, s, a), am, 0)

	// dense returns a fresh matrix set by f.
	dense := func(f func(*mat.Dense)) *mat.Dense { var d mat.Dense; f(&d); return &d }
	denseEqual(t, "MatMul", collectDense(t, s, must(MatMul(a, b))), dense(func(d *mat.Dense) { d.Mul(am, bm) }), tol)
	denseEqual(t, "Add", collectDense(t, s, must(Add(a, e))), dense(func(d *mat.Dense) { d.Add(am, em) }), tol)
	denseEqual(t, "Sub", collectDense(t, s, must(Sub(a, e))), dense(func(d *mat.Dense) { d.Sub(am, em) }), tol)
	denseEqual(t, "Mul", collectDense(t, s, must(Mul(a, e))), dense(func(d *mat.Dense) { d.MulElem(am, em) }), tol)
	denseEqual(t, "Scale", collectDense(t, s, Scale(-2.5, a)), dense(func(d *mat.Dense) { d.Scale(-2.5, am) }), tol)
	denseEqual(t, "Transpose", collectDense(t, s, Transpose(a)), am.T(), 0)
	abs := dense(func(d *mat.Dense) { d.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, am) })
	denseEqual(t, "Map", collectDense(t, s, Map(a, math.Abs)), abs, 0)
	denseEqual(t, "MapBlocks", collectDense(t, s, MapBlocks(a, absBlock)), abs, 0)

	// A·Bᵀ·... chains: (A+E)ᵀ·A, through transposed blocks.
	ae := must(Add(a, e))
	var sum, chain mat.Dense
	sum.Add(am, em)
	chain.Mul(sum.T(), am)
	denseEqual(t, "Transpose(Add)·A", collectDense(t, s, must(MatMul(Transpose(ae), a))), &chain, tol)

	wantSum := mat.Sum(am)
	if got := value[float64](t, s, Sum(a)); math.Abs(got-wantSum) > tol*float64(c.r*c.m) {
		t.Errorf("Sum = %g, want %g", got, wantSum)
	}
	if got := value[float64](t, s, Mean(a)); math.Abs(got-wantSum/float64(c.r*c.m)) > tol {
		t.Errorf("Mean = %g, want %g", got, wantSum/float64(c.r*c.m))
	}
	if got, want := value[float64](t, s, Min(a)), mat.Min(am); got != want {
		t.Errorf("Min = %g, want %g", got, want)
	}
	if got, want := value[float64](t, s, Max(a)), mat.Max(am); got != want {
		t.Errorf("Max = %g, want %g", got, want)
	}
	if got, want := value[int](t, s, Reduce(a, countPositive, addInts)), countIf(am, func(v float64) bool { return v > 0 }); got != want {
		t.Errorf("Reduce(countPositive) = %d, want %d", got, want)
	}
}

func absBlock(b *Block[float64]) (*Block[float64], error) {
	c := b.Clone()
	for i, v := range c.Data {
		c.Data[i] = math.Abs(v)
	}
	return c, nil
}

func countPositive(b *Block[float64]) int {
	n := 0
	for _, v := range b.Data {
		if v > 0 {
			n++
		}
	}
	return n
}

func addInts(xs ...int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func countIf(m *mat.Dense, f func(float64) bool) int {
	n := 0
	r, c := m.Dims()
	for i := range r {
		for j := range c {
			if f(m.At(i, j)) {
				n++
			}
		}
	}
	return n
}

// TestIntegerOps checks the integer kernels (no BLAS) against a loop.
func TestIntegerOps(t *testing.T) {
	s := newScheduler(t, 2)
	const r, m, c = 9, 13, 5
	src := rand.New(rand.NewPCG(3, 4))
	ad := make([]int64, r*m)
	bd := make([]int64, m*c)
	for i := range ad {
		ad[i] = src.Int64N(21) - 10
	}
	for i := range bd {
		bd[i] = src.Int64N(21) - 10
	}
	a := must(Distribute(Blocks(4, 3), []int{r, m}, ad))
	b := must(Distribute(Blocks(3, 2), []int{m, c}, bd))
	got := collect(t, s, must(MatMul(a, b)))
	for i := range r {
		for j := range c {
			var want int64
			for k := range m {
				want += ad[i*m+k] * bd[k*c+j]
			}
			if got.At(i, j) != want {
				t.Fatalf("MatMul[%d,%d] = %d, want %d", i, j, got.At(i, j), want)
			}
		}
	}
	var sum, mn int64 = 0, math.MaxInt64
	for _, v := range ad {
		sum += v
		mn = min(mn, v)
	}
	if got := value[int64](t, s, Sum(a)); got != sum {
		t.Errorf("Sum = %d, want %d", got, sum)
	}
	if got := value[int64](t, s, Min(a)); got != mn {
		t.Errorf("Min = %d, want %d", got, mn)
	}
	if got := value[float64](t, s, Mean(a)); math.Abs(got-float64(sum)/float64(len(ad))) > 1e-12 {
		t.Errorf("Mean = %g, want %g", got, float64(sum)/float64(len(ad)))
	}
	// float32 goes through Sgemm.
	f := Map(a, func(v int64) float32 { return float32(v) })
	g := Map(b, func(v int64) float32 { return float32(v) })
	got32 := collect(t, s, must(MatMul(f, g)))
	for i := range got32.Data {
		if got32.Data[i] != float32(got.Data[i]) {
			t.Fatalf("float32 MatMul element %d = %g, want %d", i, got32.Data[i], got.Data[i])
		}
	}
}

// TestNDims checks 1-D and 3-D arrays: constructors, Collect, reductions
// and Transpose against plain loops.
func TestNDims(t *testing.T) {
	s := newScheduler(t, 3)
	v := must(FromFunc(Blocks(4), []int{10}, func(i []int) int { return i[0] * i[0] }))
	if got := collect(t, s, v).Data; fmt.Sprint(got) != "[0 1 4 9 16 25 36 49 64 81]" {
		t.Errorf("1-D FromFunc = %v", got)
	}
	if got := value[int](t, s, Sum(v)); got != 285 {
		t.Errorf("1-D Sum = %d, want 285", got)
	}
	if Transpose(v) != v {
		t.Error("Transpose of a 1-D array is not the array")
	}
	shape := []int{3, 4, 5}
	cube := must(FromFunc(Blocks(2, 3, 2), shape, func(i []int) int { return 100*i[0] + 10*i[1] + i[2] }))
	tr := collect(t, s, Transpose(cube))
	if got := fmt.Sprint(tr.Shape); got != "[5 4 3]" {
		t.Fatalf("Transpose shape %s", got)
	}
	for i := range 3 {
		for j := range 4 {
			for k := range 5 {
				if got := tr.At(k, j, i); got != 100*i+10*j+k {
					t.Fatalf("Transpose[%d,%d,%d] = %d", k, j, i, got)
				}
			}
		}
	}
	ones := must(Ones[uint8](Blocks(2, 2, 2), shape))
	if got := value[uint8](t, s, Sum(ones)); got != 60 {
		t.Errorf("Sum(Ones) = %d, want 60", got)
	}
	if got := value[uint8](t, s, Max(ones)); got != 1 {
		t.Errorf("Max(Ones) = %d", got)
	}
	z := must(Zeros[float32](Blocks(3, 3, 3), shape))
	if got := value[float32](t, s, Sum(must(Add(z, must(Fill(Blocks(3, 3, 3), shape, float32(0.5))))))); got != 30 {
		t.Errorf("Sum(Zeros+0.5) = %g, want 30", got)
	}
}

// TestComputeReuses checks that a computed array's blocks hold their
// values: further thunks over them do not run the generators again.
func TestComputeReuses(t *testing.T) {
	ctx := t.Context()
	var started int
	var mu = make(chan struct{}, 1)
	s := cairn.New(&cairn.Config{Parallelism: 2, Listeners: []cairn.Listener{cairn.ListenerFunc(func(e cairn.Event) {
		if e.Kind == cairn.ThunkStarted && e.Thunk.Func().Name() == "darray.randn[float64]" {
			mu <- struct{}{}
			started++
			<-mu
		}
	})}})
	defer s.Close()
	x := must(Randn(Blocks(4, 4), []int{8, 12}, Seed(7)))
	y := must(x.Compute(ctx, s))
	if started != 6 {
		t.Fatalf("Compute ran %d generators, want 6", started)
	}
	want := collect(t, s, x) // runs the generators again: x is lazy
	got := collect(t, s, Scale(1, y))
	if started != 12 {
		t.Fatalf("%d generators ran, want 12 (6 for Compute, 6 for the lazy array, none for the computed one)", started)
	}
	if fmt.Sprint(got.Data) != fmt.Sprint(want.Data) {
		t.Fatal("computed array differs from the lazy one")
	}
}

// TestMapBlocksBadShape checks that a block function that changes a
// block's shape is reported by Collect, not silently assembled.
func TestMapBlocksBadShape(t *testing.T) {
	s := newScheduler(t, 1)
	a := must(Zeros[float64](Blocks(2, 2), []int{4, 4}))
	bad := MapBlocks(a, func(b *Block[float64]) (*Block[float64], error) {
		return &Block[float64]{Shape: []int{1, 1}, Origin: b.Origin, Data: []float64{0}}, nil
	})
	_, err := bad.Collect(t.Context(), s)
	if !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "[0:1, 0:1]") {
		t.Fatalf("got %v, want an ErrShape naming the block's domain", err)
	}
}
