package darray_test

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/darray"
)

// lineSite returns this file's file:line for a line n lines below the
// caller's, in the form Thunk.CallSite gives.
func lineSite(n int) string {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Sprintf("%s/%s:%d", filepath.Base(filepath.Dir(file)), filepath.Base(file), line+n)
}

// TestThunksReportCallersLine checks that the thunks darray makes report
// the line of the program that called darray as their call site (in
// errors, events and the dashboard), not a line inside darray.
func TestThunksReportCallersLine(t *testing.T) {
	atRandn := lineSite(1)
	x, err := darray.Randn(darray.Blocks(2, 2), []int{4, 4}, darray.Seed(1))
	if err != nil {
		t.Fatal(err)
	}
	atNamed := lineSite(1)
	y, err := darray.Randn(darray.Blocks(2, 2), []int{4, 4}, darray.Seed(1), darray.Name("Y"))
	if err != nil {
		t.Fatal(err)
	}
	atScale := lineSite(1)
	z := darray.Scale(2.0, x)
	atSum := lineSite(1)
	s := darray.Sum(z)
	check := func(what, want string, ts ...*cairn.Thunk) {
		t.Helper()
		for _, th := range ts {
			if got := th.CallSite(); got != want {
				t.Errorf("%s: thunk %s made at %s, want %s", what, th.Name(), got, want)
			}
		}
	}
	check("Randn", atRandn, x.Chunks()...)
	check("Randn with a name", atNamed, y.Chunks()...)
	check("Scale", atScale, z.Chunks()...)
	check("Sum", atSum, append(s.Inputs(), s)...)
}
