package darray

import (
	"reflect"
	"sync"

	"github.com/cairnlabs/cairn"
)

// Every block function is registered with cairn under a stable name, one
// per element type ("darray.randn[float64]"), so that a block's checkpoint
// key is a hash of that name, its version and its literal arguments (seed,
// shape, origin): the same in every run and on every machine. The built-in
// element types are registered at init, so that worker processes of a
// cluster know them too; other element types (named types such as
// `type Celsius float64`) are registered on first use, which is enough in
// one process.

// funcVersion is the version of every darray block function. Bump it when
// a function's results change, so that old checkpoints are not restored.
const funcVersion = "2"

// kernels are the registered block functions for element type T.
type kernels[T Number] struct {
	zeros, fill, block           *cairn.Func
	add, sub, mul, scale, accum  *cairn.Func
	sum, sumMerge, sumF          *cairn.Func
	min, max, minMerge, maxMerge *cairn.Func
	transpose, matmul            *cairn.Func
}

// floatKernels are the registered block functions that need floats.
type floatKernels[T Float] struct {
	rand, randn *cairn.Func
}

var (
	kernelMu    sync.Mutex
	kernelCache sync.Map // reflect.Type of *kernels[T] or *floatKernels[T] -> the value
)

// kern returns the block functions for T, registering them on first use.
func kern[T Number]() *kernels[T] {
	key := reflect.TypeFor[*kernels[T]]()
	if k, ok := kernelCache.Load(key); ok {
		return k.(*kernels[T])
	}
	kernelMu.Lock()
	defer kernelMu.Unlock()
	if k, ok := kernelCache.Load(key); ok {
		return k.(*kernels[T])
	}
	t := typeName[T]()
	k := &kernels[T]{
		zeros:     register("zeros", t, zerosBlock[T], cairn.NoCheckpoint()),
		fill:      register("fill", t, fillBlock[T], cairn.NoCheckpoint()),
		block:     register("block", t, identityBlock[T], cairn.NoCheckpoint()),
		add:       register("add", t, addBlocks[T]),
		sub:       register("sub", t, subBlocks[T]),
		mul:       register("mul", t, mulBlocks[T]),
		scale:     register("scale", t, scaleBlock[T]),
		accum:     register("accum", t, accumBlocks[T]),
		sum:       register("sum", t, sumBlock[T]),
		sumMerge:  register("sum.merge", t, sumMerge[T]),
		sumF:      register("sumf", t, sumFloat64[T]),
		min:       register("min", t, minBlock[T]),
		max:       register("max", t, maxBlock[T]),
		minMerge:  register("min.merge", t, minMerge[T]),
		maxMerge:  register("max.merge", t, maxMerge[T]),
		transpose: register("transpose", t, transposeBlock[T]),
		matmul:    register("matmul", t, matmulBlocks[T]),
	}
	kernelCache.Store(key, k)
	return k
}

// fkern returns the float block functions for T, registering them on first
// use.
func fkern[T Float]() *floatKernels[T] {
	key := reflect.TypeFor[*floatKernels[T]]()
	if k, ok := kernelCache.Load(key); ok {
		return k.(*floatKernels[T])
	}
	kernelMu.Lock()
	defer kernelMu.Unlock()
	if k, ok := kernelCache.Load(key); ok {
		return k.(*floatKernels[T])
	}
	t := typeName[T]()
	k := &floatKernels[T]{
		// Seeded random blocks are regenerated at several GB/s: cheaper than
		// storing gigabytes of them and reading them back.
		rand:  register("rand", t, randBlock[T], cairn.NoCheckpoint()),
		randn: register("randn", t, randnBlock[T], cairn.NoCheckpoint()),
	}
	kernelCache.Store(key, k)
	return k
}

// Functions that do not depend on the element type.
var (
	sumFloatsFunc = cairn.Register("darray.sumf.merge", sumFloats, cairn.Version(funcVersion))
	divFunc       = cairn.Register("darray.div", divide, cairn.Version(funcVersion))
)

// register registers f as "darray.<op>[<type>]", or returns the function
// already registered under that name. Functions whose results are cheaper
// to make than to store and read back (zeros, fills, blocks that are
// already in memory) are registered with cairn.NoCheckpoint.
func register(op, typ string, f any, opts ...cairn.FuncOption) *cairn.Func {
	name := "darray." + op + "[" + typ + "]"
	if fn, ok := cairn.Lookup(name); ok {
		return fn
	}
	return cairn.Register(name, f, append([]cairn.FuncOption{cairn.Version(funcVersion)}, opts...)...)
}

// typeName names T in function names: "float64" for a built-in type, the
// package path and name for a named type.
func typeName[T any]() string {
	t := reflect.TypeFor[T]()
	if t.PkgPath() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}

func init() {
	kern[float64]()
	kern[float32]()
	kern[int]()
	kern[int8]()
	kern[int16]()
	kern[int32]()
	kern[int64]()
	kern[uint]()
	kern[uint8]()
	kern[uint16]()
	kern[uint32]()
	kern[uint64]()
	fkern[float64]()
	fkern[float32]()
}
