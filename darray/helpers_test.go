package darray

import (
	"context"
	"testing"

	"github.com/cairnlabs/cairn"
	"gonum.org/v1/gonum/mat"
)

// newScheduler returns a scheduler with n slots, closed at the end of the
// test.
func newScheduler(t testing.TB, n int) *cairn.Scheduler {
	t.Helper()
	s := cairn.New(&cairn.Config{Parallelism: n})
	t.Cleanup(func() { s.Close() })
	return s
}

// collect computes a and fails the test on error.
func collect[T Number](t testing.TB, s *cairn.Scheduler, a *Array[T]) *Block[T] {
	t.Helper()
	b, err := a.Collect(context.Background(), s)
	if err != nil {
		t.Fatalf("Collect %v: %v", a, err)
	}
	return b
}

// collectDense computes a 2-D float64 array as a *mat.Dense.
func collectDense(t testing.TB, s *cairn.Scheduler, a *Array[float64]) *mat.Dense {
	t.Helper()
	m, err := CollectDense(context.Background(), s, a)
	if err != nil {
		t.Fatalf("CollectDense %v: %v", a, err)
	}
	return m
}

// value computes a scalar thunk.
func value[T any](t testing.TB, s *cairn.Scheduler, th *cairn.Thunk) T {
	t.Helper()
	v, err := cairn.Collect[T](context.Background(), s, th)
	if err != nil {
		t.Fatalf("Collect %v: %v", th, err)
	}
	return v
}

// must returns v, or panics (failing the test) on err: for setup steps
// that cannot fail in a correct package.
func must[V any](v V, err error) V {
	if err != nil {
		panic(err)
	}
	return v
}

// denseEqual fails the test unless got and want agree to tol (relative to
// the largest element of want, at least 1).
func denseEqual(t testing.TB, what string, got, want mat.Matrix, tol float64) {
	t.Helper()
	gr, gc := got.Dims()
	wr, wc := want.Dims()
	if gr != wr || gc != wc {
		t.Fatalf("%s: got %d×%d, want %d×%d", what, gr, gc, wr, wc)
	}
	scale := max(1, mat.Norm(want, 1))
	if d := mat.Norm(diff(got, want), 1); d > tol*scale {
		t.Fatalf("%s: differs from gonum by %g (norm %g)", what, d, scale)
	}
}

func diff(a, b mat.Matrix) *mat.Dense {
	var d mat.Dense
	d.Sub(a, b)
	return &d
}

// randDense returns an r×c matrix of values from src.
func randDense(r, c int, src func() float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			m.Set(i, j, src())
		}
	}
	return m
}
