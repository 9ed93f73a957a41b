// Package demo is the seed's story — Dagger.jl's checkpointing example —
// as phases that `cairn demo` runs and explains, and that the tests run as
// separate processes: run 1 computes and checkpoints the block sums and then
// fails in inner on a negative total; run 2, with inner fixed, restores
// every sum and computes only inner; run 3, with a checkpoint of the final
// result, skips the whole computation.
package demo
