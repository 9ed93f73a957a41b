package cairn

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
)

// here returns the file:line of its call, as CallSite formats it.
func here() string {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Sprintf("%s/%s:%d", filepath.Base(filepath.Dir(file)), filepath.Base(file), line)
}

// makeAt makes a thunk in a function of its own, called from two lines.
func makeAt(mk func(...any) *Thunk) (*Thunk, string) { return mk(1), here() }

// TestCallSite checks that a thunk's call site is the line that called the
// maker, however it was called: each call site is checked against a stack
// walk once, then read from frame pointers.
func TestCallSite(t *testing.T) {
	inc := Delayed(func(x int) int { return x + 1 })
	for i := range 3 { // the same site again: the fast path
		th, want := inc(i), here()
		if got := th.CallSite(); got != want {
			t.Errorf("call %d: CallSite = %s, want %s", i, got, want)
		}
	}
	a, wantA := makeAt(inc)
	b, wantB := makeAt(inc)
	if a.CallSite() != wantA || b.CallSite() != wantB || wantA != wantB {
		t.Errorf("through a helper: %s and %s, want %s and %s", a.CallSite(), b.CallSite(), wantA, wantB)
	}
	f := func() (*Thunk, string) { return Delayed(func() int { return 1 })(), here() }
	c, wantC := f()
	if c.CallSite() != wantC {
		t.Errorf("in a closure: %s, want %s", c.CallSite(), wantC)
	}
	d := inc(2)
	fr, _ := runtime.CallersFrames([]uintptr{d.n.PC}).Next()
	if want := "github.com/cairnlabs/cairn.TestCallSite"; fr.Function != want {
		t.Errorf("the PC is in %s, want %s", fr.Function, want)
	}
	if ok, _ := fpSites.Load(d.n.PC); runtime.GOARCH == "amd64" && ok != true {
		t.Errorf("the call site's frame pointer answer was not trusted (%v): every thunk walks the stack", ok)
	}
}

// TestOptionsCallSite checks that Options.CallSite, which libraries that
// make thunks for their callers set, is the call site that the thunk and
// its failure report.
func TestOptionsCallSite(t *testing.T) {
	fail := func(int) (int, error) { return 0, fmt.Errorf("no") }
	th := Delayed(fail, Options{CallSite: "seed/main.go:42"})(1)
	if got := th.CallSite(); got != "seed/main.go:42" {
		t.Fatalf("CallSite() = %q, want the one given", got)
	}
	s := New(&Config{Parallelism: 1})
	defer s.Close()
	_, err := Compute(t.Context(), s, th)
	var fe *ThunkFailedError
	if !errors.As(err, &fe) || fe.CallSite != "seed/main.go:42" {
		t.Fatalf("failure %v: want a *ThunkFailedError made at seed/main.go:42", err)
	}
	if plain := Delayed(fail)(1); plain.CallSite() != here() {
		t.Errorf("without Options.CallSite: %q", plain.CallSite())
	}
}
