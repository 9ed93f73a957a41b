package cairn

// callerPC returns the return address into the function that called the
// caller of callerPC: what runtime.Callers(2, pcs) gives there in pcs[0],
// when that caller has a frame of its own (it was not inlined). It reads
// the frame pointers that Go keeps on amd64, as the runtime's execution
// tracer does, instead of walking the stack; thunkPC checks it.
//
//go:noescape
func callerPC() uintptr
