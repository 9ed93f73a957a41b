package darray

import (
	"fmt"
	"math/rand/v2"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/internal/site"
)

// Option configures a constructor.
type Option func(*options)

type options struct {
	seed   uint64
	seeded bool
	name   string
}

// Seed fixes the seed of a random array. Values then depend only on the
// seed, the array's shape and each element's position: they are the same
// whatever the block sizes, the parallelism, the run or the machine, and
// the blocks' thunks get stable checkpoint keys. Without Seed, a random seed
// is drawn and the blocks are not checkpointed automatically (a later run
// could never restore them).
func Seed(seed uint64) Option {
	return func(o *options) { o.seed, o.seeded = seed, true }
}

// Name labels the array's thunks in errors, logs, events and the
// dashboard: block i of an array named "X" is "X[i]" (by default the
// thunks carry their function's name, such as "darray.randn[float64]").
func Name(name string) Option {
	return func(o *options) { o.name = name }
}

func getOptions(opts []Option) options {
	var o options
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// randomSeed fills in a seed when none was given.
func (o *options) randomSeed() {
	if !o.seeded {
		o.seed = rand.Uint64()
	}
}

// delayed returns the maker of the thunks of block i of an array built
// with these options, at priority prio.
func (o *options) delayed(f *cairn.Func, prio int, noCheckpoint bool) func(i int, args ...any) *cairn.Thunk {
	site := callerSite()
	if o.name == "" {
		mk := cairn.Delayed(f, cairn.Options{Priority: prio, NoCheckpoint: noCheckpoint, CallSite: site})
		return func(_ int, args ...any) *cairn.Thunk { return mk(args...) }
	}
	return func(i int, args ...any) *cairn.Thunk {
		return cairn.Delayed(f, cairn.Options{Name: fmt.Sprintf("%s[%d]", o.name, i), Priority: prio, NoCheckpoint: noCheckpoint, CallSite: site})(args...)
	}
}

// callerSite returns where the program called into darray (file:line),
// which the thunks darray makes for it report as their call site: the
// user's line, not darray's. It walks the stack, so it is called once per
// array or operation, never per block.
func callerSite() string { return site.Caller("github.com/cairnlabs/cairn/darray") }
