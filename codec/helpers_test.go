package codec

import (
	"runtime"
	"testing"
	"unsafe"
)

// bothEndians runs f on this machine's native path and, on little-endian
// machines, again on the portable (big-endian) path, which must read and
// write the same bytes. For a real big-endian (and 32-bit) run:
//
//	GOARCH=s390x go test -c -o /tmp/codec.test ./codec && qemu-s390x /tmp/codec.test
//	GOARCH=mips go test -c -o /tmp/codec.test ./codec && qemu-mips /tmp/codec.test
func bothEndians(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	t.Run("native", f)
	if !hostLE {
		return
	}
	t.Run("portable", func(t *testing.T) {
		hostLE = false
		defer func() { hostLE = true }()
		f(t)
	})
}

// misaligned returns a copy of b that starts one byte past an 8-byte
// boundary.
func misaligned(b []byte) []byte {
	buf := make([]byte, len(b)+1)
	copy(buf[1:], b)
	return buf[1:]
}

// allocated returns how many bytes f allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: did not panic", name)
		}
	}()
	f()
}

func unsafePointer[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }

// allocatedNoGC is allocated without the GC, cheap enough for fuzzing.
func allocatedNoGC(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
