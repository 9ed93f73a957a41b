package cairn_test

import (
	"testing"

	"github.com/cairnlabs/cairn"
)

func pinnedScale(x float64, k int) float64 { return x * float64(k) }

func pinnedSource(x float64) float64 { return x + 1 }

var (
	pinnedScaleFn  = cairn.Register("test.pinnedScale", pinnedScale, cairn.Version("2"))
	pinnedSourceFn = cairn.Register("test.pinnedSource", pinnedSource)
)

// TestKeyFormatPinned pins the keys of a small graph: a function with a
// version, one versioned by its source, a literal and a thunk argument. A
// change to how keys are computed changes every key, so that every stored
// checkpoint misses once: this test fails first, so that such a change is
// made on purpose.
func TestKeyFormatPinned(t *testing.T) {
	a := cairn.Delayed(pinnedScaleFn)(1.5, 3)
	b := cairn.Delayed(pinnedSourceFn)(a)
	for _, c := range []struct {
		th   *cairn.Thunk
		want string
	}{
		{a, "test.pinnedScale/008fca249d7396c6eea1ed3f7993e116ea67fca1cabcaf74a68b5dd954ee8c2b"},
		{b, "test.pinnedSource/4e6e7bea3f2d5e747acddc82937f29cf7a6bfb5095f76c52050a2f313a13c87e"},
	} {
		got, err := c.th.Key()
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("key %s, pinned %s", got, c.want)
		}
	}
}
