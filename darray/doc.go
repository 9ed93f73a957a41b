// Package darray provides distributed arrays: arrays of any number of
// dimensions cut into blocks, each block the result of a cairn thunk
// (Dagger.jl's DArray).
//
// Arrays are lazy. Constructors (Rand, Randn, Zeros, Ones, Fill, FromFunc,
// Distribute) and operations (Map, MapBlocks, Add, Sub, Mul, Scale,
// Transpose, MatMul) return an *Array whose blocks are thunks; reductions
// (Sum, Mean, Min, Max, Reduce) return a thunk of the result. Nothing runs
// until thunks are passed to cairn.Compute or Collect, or an array to its
// Compute or Collect method; the scheduler then runs the blocks in
// parallel. The seed example reads:
//
//	X, err := darray.Randn(darray.Blocks(128, 128), []int{1024, 1024}, darray.Seed(1))
//	Y := make([]any, X.NumBlocks())
//	for i, c := range X.Chunks() {
//		Y[i] = cairn.Delayed(sumBlock)(c) // func sumBlock(b *darray.Block[float64]) float64
//	}
//	z, err := cairn.Collect[float64](ctx, s, cairn.Delayed(inner)(Y...))
//
// # Blocks
//
// Blocks(sizes...) gives one block size per dimension; blocks at the far
// edge of a dimension are smaller when the size is not a multiple. Blocks
// are numbered in grid order, row-major (the last dimension fastest), and
// each is a *Block[T]: its Shape, its Origin in the array and its elements
// in row-major order. Block.Dense views a float64 block as a gonum
// *mat.Dense without copying.
//
// # Reproducible random arrays and checkpoints
//
// Random arrays take a Seed. Element values depend only on the seed, the
// shape and the element's position — not on block sizes, parallelism, run
// or machine — so a resumed run computes against the same data. Every block
// function is registered with cairn.Register under a stable name
// ("darray.randn[float64]") and takes only literal arguments (seed, shape,
// origin), so with a checkpoint store configured each block has a stable
// checkpoint key. Blocks are encoded with raw codecs registered in the codec
// package, at close to memory-copy speed.
//
// # Scheduling
//
// Each operation gives its thunks a higher priority than those of its
// inputs, and constructors a low one, so the scheduler consumes a block
// soon after making it: arrays much larger than memory stream through when
// only reductions of them are kept.
//
// Bad input — zero or negative block sizes, empty arrays, mismatched shapes
// — gives an error wrapping ErrBlocks or ErrShape that names the shapes.
package darray
