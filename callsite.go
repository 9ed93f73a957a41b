package cairn

import (
	"runtime"
	"sync"
)

// fpSites records, for each PC that callerPC gave in a thunk maker, whether
// runtime.Callers gave the same there: only then is callerPC trusted for
// it. The two differ where the maker was inlined into its caller (it then
// has no frame of its own), and on architectures without callerPC.
var fpSites sync.Map // uintptr -> bool

// thunkPC returns the PC of the call of a thunk maker (the closure that
// Delayed returns), given callerPC's answer in it: a walk of the stack
// costs more than the rest of making a thunk, so it is done once per call
// site, to check callerPC there.
//
//go:noinline
func thunkPC(fp uintptr) uintptr {
	if ok, seen := fpSites.Load(fp); seen && ok.(bool) {
		return fp
	}
	var pcs [1]uintptr
	if runtime.Callers(3, pcs[:]) == 0 {
		return 0
	}
	fpSites.Store(fp, fp != 0 && pcs[0] == fp)
	return pcs[0]
}
