package demo

import (
	"fmt"
	"math"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/darray"
)

// DomainError is what the buggy inner returns for a negative total: Go's
// math.Sqrt returns NaN there, where Julia's sqrt throws a DomainError.
type DomainError struct{ Total float64 }

func (e *DomainError) Error() string {
	return fmt.Sprintf("DomainError with %g: sqrt was called with a negative total (the fix: sqrt(abs(total)))", e.Total)
}

// sumBlock sums one block of X.
func sumBlock(b *darray.Block[float64]) float64 {
	s := 0.0
	for _, v := range b.Data {
		s += v
	}
	return s
}

// innerBuggy is the seed's first inner: sqrt(sum(x)), with no abs.
func innerBuggy(xs ...float64) (float64, error) {
	total := 0.0
	for _, x := range xs {
		total += x
	}
	if total < 0 {
		return 0, &DomainError{Total: total}
	}
	return math.Sqrt(total), nil
}

// innerFixed is the fixed inner: sqrt(abs(sum(x))).
func innerFixed(xs ...float64) float64 {
	total := 0.0
	for _, x := range xs {
		total += x
	}
	return math.Sqrt(math.Abs(total))
}

// Registered, so that thunks of them have stable checkpoint keys when a
// store checkpoints automatically.
var (
	sumFn        = cairn.Register("demo.sumBlock", sumBlock)
	innerBuggyFn = cairn.Register("demo.inner", innerBuggy, cairn.Version("1"))
	innerFixedFn = cairn.Register("demo.innerFixed", innerFixed, cairn.Version("2"))
)
