package codec

import (
	"bytes"
	"math"
	"testing"
)

// The fast paths write exactly what the reflective walk writes: keys must
// not change with them.
func TestFingerprintFastPathsMatchWalk(t *testing.T) {
	vals := []any{0, 1, -1, math.MaxInt64, int64(-7), uint64(1 << 63), 0.0, math.Copysign(0, -1), math.NaN(), math.Inf(1), 3.25,
		"", "hello", "ünïcode", []int(nil), []int{}, []int{1, -2, 3}, make([]int, 5000)}
	for _, v := range vals {
		fast := &fpEncoder{buf: []byte{fpVersion}}
		if !fast.fast(v) {
			t.Fatalf("%T has no fast path", v)
		}
		slow := &fpEncoder{buf: []byte{fpVersion}}
		slow.walk(v)
		if !bytes.Equal(fast.buf, slow.buf) || slow.err != nil {
			t.Fatalf("%T %v: fast %x, walk %x (%v)", v, v, fast.buf, slow.buf, slow.err)
		}
	}
	if (&fpEncoder{}).fast(int32(1)) {
		t.Fatal("int32 should take the walk")
	}
}
