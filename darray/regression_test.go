package darray

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/cairnlabs/cairn"
	"gonum.org/v1/gonum/mat"
)

// R3: RandOf[float32] must give values in [0, 1).
func TestRegressionRandFloat32InRange(t *testing.T) {
	const seed = 1
	s := newStream(seed, kindUniform)
	g := -1
	for i := 0; i < 1<<28; i++ {
		if float32(uniform53(s.at(uint64(i)))) >= 1 {
			g = i
			break
		}
	}
	if g < 0 {
		t.Skip("no rounding case found")
	}
	t.Logf("element %d rounds to 1", g)
	n := g + 1
	a := must(RandOf[float32](Blocks(1024), []int{n}, Seed(seed)))
	th, err := a.Block(g / 1024)
	if err != nil {
		t.Fatal(err)
	}
	sch := newScheduler(t, 1)
	b := value[*Block[float32]](t, sch, th)
	v := b.Data[g%1024]
	if !(v >= 0 && v < 1) {
		t.Fatalf("RandOf[float32] element %d = %v, want in [0, 1)", g, v)
	}
}

func TestRegressionRagged3D(t *testing.T) {
	sch := newScheduler(t, 2)
	shape := []int{5, 3, 7}
	n := 5 * 3 * 7
	data := make([]float64, n)
	for i := range data {
		data[i] = float64(i)
	}
	for _, bs := range [][]int{{2, 2, 3}, {5, 3, 7}, {9, 9, 9}, {1, 1, 1}, {4, 1, 6}} {
		a := must(Distribute(Blocks(bs...), shape, data))
		got := collect(t, sch, a)
		for i := range data {
			if got.Data[i] != data[i] {
				t.Fatalf("blocks %v: elem %d = %v", bs, i, got.Data[i])
			}
		}
		tr := collect(t, sch, Transpose(a))
		// tr[k][j][i] = a[i][j][k]
		for i := 0; i < 5; i++ {
			for j := 0; j < 3; j++ {
				for k := 0; k < 7; k++ {
					if tr.At(k, j, i) != data[(i*3+j)*7+k] {
						t.Fatalf("blocks %v: transpose wrong at %d,%d,%d", bs, i, j, k)
					}
				}
			}
		}
		sum := value[float64](t, sch, Sum(a))
		if sum != float64(n*(n-1)/2) {
			t.Fatalf("sum %v", sum)
		}
		mx := value[float64](t, sch, Max(a))
		mn := value[float64](t, sch, Min(a))
		if mx != float64(n-1) || mn != 0 {
			t.Fatalf("min/max %v %v", mn, mx)
		}
	}
}

func TestRegressionMatMulRagged(t *testing.T) {
	sch := newScheduler(t, 2)
	for _, c := range []struct{ m, k, n, bm, bk, bn int }{
		{1, 7, 1, 1, 3, 1}, {7, 1, 5, 2, 1, 3}, {5, 19, 3, 2, 2, 2}, {13, 100, 9, 5, 7, 4}, {3, 4, 5, 10, 10, 10}, {130, 70, 200, 65, 33, 150},
	} {
		am := mat.NewDense(c.m, c.k, nil)
		bm := mat.NewDense(c.k, c.n, nil)
		for i := 0; i < c.m; i++ {
			for j := 0; j < c.k; j++ {
				am.Set(i, j, float64(i*3-j)+0.5)
			}
		}
		for i := 0; i < c.k; i++ {
			for j := 0; j < c.n; j++ {
				bm.Set(i, j, float64(i-2*j)*0.25)
			}
		}
		var want mat.Dense
		want.Mul(am, bm)
		a := must(DistributeDense(Blocks(c.bm, c.bk), am))
		b := must(DistributeDense(Blocks(c.bk, c.bn), bm))
		p, err := MatMul(a, b)
		if err != nil {
			t.Fatal(err)
		}
		got := collectDense(t, sch, p)
		if !mat.EqualApprox(got, &want, 1e-9) {
			t.Fatalf("%+v: wrong", c)
		}
		// float32 and int
		ai := Map(a, func(x float64) int { return int(2 * x) })
		bi := Map(b, func(x float64) int { return int(4 * x) })
		pi, err := MatMul(ai, bi)
		if err != nil {
			t.Fatal(err)
		}
		gi := collect(t, sch, pi)
		for i := 0; i < c.m; i++ {
			for j := 0; j < c.n; j++ {
				if float64(gi.At(i, j)) != 8*want.At(i, j) {
					t.Fatalf("%+v int wrong at %d,%d: %v vs %v", c, i, j, gi.At(i, j), 8*want.At(i, j))
				}
			}
		}
	}
}

func TestRegressionDistributeDenseView(t *testing.T) {
	sch := newScheduler(t, 2)
	big := mat.NewDense(6, 5, nil)
	for i := 0; i < 6; i++ {
		for j := 0; j < 5; j++ {
			big.Set(i, j, float64(10*i+j))
		}
	}
	for _, v := range []*mat.Dense{big.Slice(1, 4, 1, 4).(*mat.Dense), big.Slice(2, 5, 0, 5).(*mat.Dense), big.Slice(0, 6, 4, 5).(*mat.Dense)} {
		a := must(DistributeDense(Blocks(2, 2), v))
		got := collectDense(t, sch, a)
		if !mat.Equal(got, v) {
			t.Fatalf("view wrong:\n%v\n%v", mat.Formatted(got), mat.Formatted(v))
		}
	}
}

func TestRegressionMeanIntAndNaN(t *testing.T) {
	sch := newScheduler(t, 2)
	a := must(Distribute(Blocks(2), []int{5}, []int8{100, 100, 100, 100, 101}))
	if m := value[float64](t, sch, Mean(a)); m != 100.2 {
		t.Fatalf("mean %v", m)
	}
	for _, pos := range []int{0, 1, 2, 4} {
		d := []float64{1, 2, 3, 4, 5}
		d[pos] = math.NaN()
		for _, bs := range []int{1, 2, 5, 7} {
			x := must(Distribute(Blocks(bs), []int{5}, d))
			if v := value[float64](t, sch, Min(x)); !math.IsNaN(v) {
				t.Fatalf("min NaN at %d blocks %d: %v", pos, bs, v)
			}
			if v := value[float64](t, sch, Max(x)); !math.IsNaN(v) {
				t.Fatalf("max NaN at %d blocks %d: %v", pos, bs, v)
			}
		}
	}
}

func TestRegressionNilArrays(t *testing.T) {
	check := func(name string, f func()) {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s(nil) panics: %v", name, r)
			}
		}()
		f()
	}
	var a *Array[float64]
	check("Map", func() { Map(a, func(x float64) float64 { return x }) })
	check("MapBlocks", func() { MapBlocks(a, func(b *Block[float64]) (*Block[float64], error) { return b, nil }) })
	check("Scale", func() { Scale(2, a) })
	check("Transpose", func() { Transpose(a) })
	check("Sum", func() { Sum(a) })
	check("Mean", func() { Mean(a) })
	check("Min", func() { Min(a) })
	check("Compute", func() { a.Compute(context.Background(), nil) })
	check("Collect", func() { a.Collect(context.Background(), nil) })
	check("DistributeDense stride", func() { DistributeDense(Blocks(1, 1), &mat.Dense{}) })
}

func TestRegressionMapNilFunc(t *testing.T) {
	sch := newScheduler(t, 1)
	a := must(Ones[float64](Blocks(2), []int{3}))
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("Map(a, nil) panics: %v", r)
		}
	}()
	_, err := Map[float64, float64](a, nil).Collect(context.Background(), sch)
	t.Logf("Map nil err: %v", err)
	_, err = MapBlocks[float64, float64](a, nil).Collect(context.Background(), sch)
	t.Logf("MapBlocks nil err: %v", err)
	if err == nil {
		t.Errorf("no error")
	}
	_ = errors.Is
}

func TestRegressionKeys(t *testing.T) {
	x := must(Randn(Blocks(2, 2), []int{3, 3}, Seed(1)))
	y := must(Randn(Blocks(2, 2), []int{3, 3}, Seed(2)))
	x2 := must(Randn(Blocks(2, 2), []int{3, 3}, Seed(1)))
	key := func(th *cairn.Thunk) string {
		k, err := th.Key()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	if key(Sum(x)) == key(Sum(y)) {
		t.Error("different seeds share keys")
	}
	if key(Sum(x)) != key(Sum(x2)) {
		t.Error("same op differs")
	}
	if key(Sum(x)) == key(Max(x)) || key(Sum(x)) == key(Min(x)) {
		t.Error("sum/max share")
	}
	if key(Sum(Transpose(x))) == key(Sum(x)) {
		t.Error("transpose shares")
	}
	// Different shapes, same first block.
	a := must(Randn(Blocks(2, 2), []int{3, 3}, Seed(1)))
	b := must(Randn(Blocks(2, 2), []int{3, 4}, Seed(1)))
	if key(a.Chunks()[0]) == key(b.Chunks()[0]) {
		t.Error("different shapes share first block key")
	}
	// Distribute: different data.
	d1 := must(Distribute(Blocks(2), []int{4}, []float64{1, 2, 3, 4}))
	d2 := must(Distribute(Blocks(2), []int{4}, []float64{1, 2, 3, 5}))
	if key(Sum(d1)) == key(Sum(d2)) {
		t.Error("Distribute different data shares key")
	}
	// Same data, different origin: block 0 of [1,2,1,2] vs block1.
	d3 := must(Distribute(Blocks(2), []int{4}, []float64{1, 2, 1, 2}))
	if key(d3.Chunks()[0]) == key(d3.Chunks()[1]) {
		t.Error("Distribute blocks at different origins share key")
	}
	// Scale by different factors.
	if key(Sum(Scale(2, x))) == key(Sum(Scale(3, x))) {
		t.Error("scale shares")
	}
	// Mean vs Sum of float
	if key(Mean(x)) == key(Sum(x)) {
		t.Error("mean/sum")
	}
	// MatMul vs MatMul transposed order
	m1, _ := MatMul(x, y)
	m2, _ := MatMul(y, x)
	if key(Sum(m1)) == key(Sum(m2)) {
		t.Error("matmul order")
	}
	// Fill different values
	f1 := must(Fill(Blocks(2), []int{4}, 1.0))
	f2 := must(Fill(Blocks(2), []int{4}, 2.0))
	if key(Sum(f1)) == key(Sum(f2)) {
		t.Error("fill")
	}
	// Zeros int vs float
	z1 := must(Zeros[float64](Blocks(2), []int{4}))
	z2 := must(Zeros[float32](Blocks(2), []int{4}))
	if key(z1.Chunks()[0]) == key(z2.Chunks()[0]) {
		t.Error("zeros types")
	}
	// Computed arrays
	sch := newScheduler(t, 1)
	cx, err := x.Compute(context.Background(), sch)
	if err != nil {
		t.Fatal(err)
	}
	cy, err := y.Compute(context.Background(), sch)
	if err != nil {
		t.Fatal(err)
	}
	if key(Sum(cx)) == key(Sum(cy)) {
		t.Error("computed share")
	}
	// unseeded
	u1 := must(Randn(Blocks(2), []int{4}))
	u2 := must(Randn(Blocks(2), []int{4}))
	if k1, err := Sum(u1).Key(); err == nil {
		if k2, _ := Sum(u2).Key(); k1 == k2 {
			t.Error("unseeded share")
		}
	}
}

func TestRegressionRandInvariance(t *testing.T) {
	s1 := newScheduler(t, 1)
	s2 := newScheduler(t, 2)
	shape := []int{4, 7, 5}
	ref := collect(t, s1, must(Randn(Blocks(4, 7, 5), shape, Seed(9))))
	refu := collect(t, s1, must(RandOf[float32](Blocks(4, 7, 5), shape, Seed(9))))
	for _, bs := range [][]int{{1, 1, 1}, {3, 2, 4}, {10, 10, 10}, {4, 1, 5}} {
		for _, s := range []*cairn.Scheduler{s1, s2} {
			got := collect(t, s, must(Randn(Blocks(bs...), shape, Seed(9))))
			for i := range got.Data {
				if math.Float64bits(got.Data[i]) != math.Float64bits(ref.Data[i]) {
					t.Fatalf("blocks %v elem %d differs", bs, i)
				}
			}
			gu := collect(t, s, must(RandOf[float32](Blocks(bs...), shape, Seed(9))))
			for i := range gu.Data {
				if gu.Data[i] != refu.Data[i] {
					t.Fatalf("f32 blocks %v elem %d differs", bs, i)
				}
			}
		}
	}
}

func TestRegressionMatMulStrips(t *testing.T) {
	sch := newScheduler(t, 2)
	for _, c := range []struct{ m, k, n, bm, bk, bn int }{{150, 20, 400, 130, 7, 250}, {70, 9, 200, 70, 9, 200}} {
		a := must(Randn(Blocks(c.bm, c.bk), []int{c.m, c.k}, Seed(3)))
		b := must(Randn(Blocks(c.bk, c.bn), []int{c.k, c.n}, Seed(4)))
		am, bm := collectDense(t, sch, a), collectDense(t, sch, b)
		var want mat.Dense
		want.Mul(am, bm)
		got := collectDense(t, sch, must(MatMul(a, b)))
		if !mat.EqualApprox(got, &want, 1e-9) {
			t.Fatalf("%+v f64 wrong", c)
		}
		got2 := collectDense(t, sch, must(MatMul(Transpose(Transpose(a)), b)))
		if !mat.EqualApprox(got2, &want, 1e-9) {
			t.Fatalf("%+v TT wrong", c)
		}
		af := Map(a, func(x float64) float32 { return float32(x) })
		bf := Map(b, func(x float64) float32 { return float32(x) })
		gf := collect(t, sch, must(MatMul(af, bf)))
		for i := 0; i < c.m; i++ {
			for j := 0; j < c.n; j++ {
				if d := math.Abs(float64(gf.At(i, j)) - want.At(i, j)); d > 1e-3 {
					t.Fatalf("%+v f32 wrong at %d,%d: %v vs %v", c, i, j, gf.At(i, j), want.At(i, j))
				}
			}
		}
		// A^T A
		ata := collectDense(t, sch, must(MatMul(Transpose(a), a)))
		var w2 mat.Dense
		w2.Mul(am.T(), am)
		if !mat.EqualApprox(ata, &w2, 1e-9) {
			t.Fatalf("%+v AtA wrong", c)
		}
	}
}
