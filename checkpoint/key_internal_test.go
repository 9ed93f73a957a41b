package checkpoint

import (
	"strings"
	"testing"
)

// FuzzStoredKeyFastPath checks that the one-pass check accepts exactly the
// keys the detailed one finds nothing wrong with.
func FuzzStoredKeyFastPath(f *testing.F) {
	for _, k := range []string{
		"a", "sum/3f2a", ".cairn/runs/0123456789abcdef/run", "a/b/c", "a.b/_c-d",
		"", "/a", "a/", "a//b", ".", "..", "a/./b", "a/../b", "./a", "a/..", "...", "..a", "a..",
		".a", "a b", "a\\b", "a\x00b", "ü", strings.Repeat("x", 200), strings.Repeat("x", 201),
		strings.Repeat("x/", 256), strings.Repeat("ab/", 170) + "ab", strings.Repeat("ab/", 171),
	} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if got, want := storedKeyOK(key), storedKeyError(key) == nil; got != want {
			t.Fatalf("storedKeyOK(%q) = %v; the detailed check says %v (%v)", key, got, want, storedKeyError(key))
		}
	})
}
