package darray

import "errors"

var (
	// ErrShape reports an array shape that cannot be used: an empty or
	// zero-sized array, a negative size, or operands whose shapes or
	// blockings do not match. Errors wrapping it name the shapes involved.
	ErrShape = errors.New("darray: bad shape")
	// ErrBlocks reports block sizes that cannot partition an array: a zero
	// or negative size, or a different number of sizes than dimensions.
	ErrBlocks = errors.New("darray: bad block sizes")
	// ErrIndex reports a block index outside an array's grid of blocks.
	ErrIndex = errors.New("darray: block index out of range")
)
