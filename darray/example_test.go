package darray_test

import (
	"context"
	"fmt"
	"math"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/darray"
	"gonum.org/v1/gonum/mat"
)

// sumBlock is the seed's per-block work.
func sumBlock(b *darray.Block[float64]) float64 {
	return mat.Sum(b.Dense())
}

// inner is the seed's final step.
func inner(xs ...float64) (float64, error) {
	var total float64
	for _, x := range xs {
		total += x
	}
	return math.Sqrt(math.Abs(total)), nil
}

// The seed example: a random matrix in blocks, a thunk per block, one
// thunk over them all.
func ExampleRandn() {
	ctx := context.Background()
	s := cairn.New(nil)
	defer s.Close()

	X, err := darray.Randn(darray.Blocks(128, 128), []int{1024, 1024}, darray.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	Y := make([]any, X.NumBlocks())
	for i, c := range X.Chunks() {
		Y[i] = cairn.Delayed(sumBlock)(c)
	}
	Z := cairn.Delayed(inner)(Y...)
	z, err := cairn.Collect[float64](ctx, s, Z)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(X)
	fmt.Println("block 9 covers", X.Subdomain(9))
	fmt.Printf("z = %.3f\n", z)
	// Output:
	// Array[float64] 1024×1024 in Blocks(128, 128)
	// block 9 covers [128:256, 128:256]
	// z = 14.162
}

// A blocked matrix product, checked against gonum.
func ExampleMatMul() {
	ctx := context.Background()
	s := cairn.New(nil)
	defer s.Close()

	A, _ := darray.Randn(darray.Blocks(100, 64), []int{300, 250}, darray.Seed(1))
	B, _ := darray.Randn(darray.Blocks(64, 100), []int{250, 200}, darray.Seed(2))
	C, err := darray.MatMul(A, B)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := darray.CollectDense(ctx, s, C)
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := darray.CollectDense(ctx, s, A)
	b, _ := darray.CollectDense(ctx, s, B)
	var want mat.Dense
	want.Mul(a, b)
	fmt.Println(C)
	fmt.Println("equal to gonum's product:", mat.EqualApprox(c, &want, 1e-12))
	// Output:
	// Array[float64] 300×200 in Blocks(100, 100)
	// equal to gonum's product: true
}

// Reductions are trees of thunks; Collect them like any thunk.
func ExampleSum() {
	ctx := context.Background()
	s := cairn.New(nil)
	defer s.Close()

	X, _ := darray.Ones[int64](darray.Blocks(10, 10), []int{25, 40})
	sum, _ := cairn.Collect[int64](ctx, s, darray.Sum(X))
	mean, _ := cairn.Collect[float64](ctx, s, darray.Mean(darray.Scale(3, X)))
	fmt.Println(sum, mean)
	// Output: 1000 3
}
