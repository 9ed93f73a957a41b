package srcver

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests digest packages written to a temporary directory, with the
// line table's answer (a site) made up: they cover what the source on
// disk does to a digest. build_test.go covers real binaries.

var treeBase = map[string]string{
	"f.go": `package p

import "strings"

// F is the function under test.
func F(s string) string {
	return strings.ToUpper(helper(s))
}

func Other() int { return 1 }
`,
	"helper.go": `package p

func helper(s string) string {
	return s + suffix
}

const suffix = "!"
`,
	"ignored.go": `//go:build ignore

package main

func main() { this is not Go }
`,
}

// writeTree writes files to dir, dated an hour before the test binary.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	old := info.ModTime().Add(-time.Hour)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
	}
}

// siteIn returns the site the line table would give for the declaration
// that starts with decl (at its first line) in dir/file.
func siteIn(t *testing.T, dir, file, symName, decl string) site {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(src), decl)
	if i < 0 {
		t.Fatalf("%q is not in %s", decl, file)
	}
	sym, err := parseSymbol(symName)
	if err != nil {
		t.Fatal(err)
	}
	return site{sym: sym, file: filepath.Join(dir, file), line: 1 + strings.Count(string(src[:i]), "\n")}
}

// digestTree writes files to a new directory and digests F there with a
// new Cache.
func digestTree(t *testing.T, files map[string]string) (string, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "p")
	writeTree(t, dir, files)
	return new(Cache).digestSite(siteIn(t, dir, "f.go", "example.com/p.F", "func F("))
}

// with returns files with file replaced by the edit of it.
func with(files map[string]string, file string, oldnew ...string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = v
	}
	out[file] = edit(files[file], oldnew...)
	return out
}

func TestDigestFollowsSource(t *testing.T) {
	base, err := digestTree(t, treeBase)
	if err != nil {
		t.Fatal(err)
	}
	moved := with(treeBase, "helper.go", "func helper(s string) string {\n\treturn s + suffix\n}\n", "")
	moved["more.go"] = "package p\n\nfunc helper(s string) string { return s + suffix }\n"
	for _, tc := range []struct {
		name    string
		files   map[string]string
		changes bool
	}{
		{"a helper's body", with(treeBase, "helper.go", "s + suffix", "suffix + s"), true},
		{"a constant a helper uses", with(treeBase, "helper.go", `"!"`, `"?"`), true},
		{"an import", with(treeBase, "f.go", `"strings"`, `strings "example.com/fakestrings"`), true},
		{"a comment", with(treeBase, "f.go", "is the function under test", "is tested"), false},
		{"another function", with(treeBase, "f.go", "return 1", "return 2"), false},
		{"a helper moved to a file with the same imports", moved, false},
		{"a file of another package", with(treeBase, "ignored.go", "this is not Go", "still not Go"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := digestTree(t, tc.files)
			if err != nil {
				t.Fatal(err)
			}
			if changed := d != base; changed != tc.changes {
				t.Errorf("digest changed: %v, want %v", changed, tc.changes)
			}
		})
	}
}

func TestDigestSourceErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir string, s *site)
		kind   error
		says   string
	}{
		{"-trimpath", func(t *testing.T, dir string, s *site) { s.file = "example.com/p/f.go" }, ErrNoSource, "-trimpath"},
		{"file removed", func(t *testing.T, dir string, s *site) { os.Remove(filepath.Join(dir, "f.go")) }, ErrNoSource, "is gone"},
		{"directory moved", func(t *testing.T, dir string, s *site) { os.Rename(dir, dir+".moved") }, ErrNoSource, "reading its package"},
		{"a file of the package does not parse", func(t *testing.T, dir string, s *site) {
			writeTree(t, dir, with(treeBase, "helper.go", "return s + suffix", "return s +"))
		}, ErrNoSource, "parsing package p"},
		{"lines inserted above", func(t *testing.T, dir string, s *site) {
			writeTree(t, dir, with(treeBase, "f.go", "// F is", "// Lines\n// above.\n\n\n\n\n// F is"))
		}, ErrStale, "declares it at [f.go:12]"},
		{"declaration renamed", func(t *testing.T, dir string, s *site) {
			writeTree(t, dir, with(treeBase, "f.go", "func F(", "func G("))
		}, ErrStale, "no such declaration"},
		{"a helper edited on its lines", func(t *testing.T, dir string, s *site) {
			p := filepath.Join(dir, "helper.go")
			os.WriteFile(p, []byte(edit(treeBase["helper.go"], "s + suffix", "suffix + s")), 0o644)
		}, ErrStale, "helper.go was modified at"},
		{"a helper without a body", func(t *testing.T, dir string, s *site) {
			writeTree(t, dir, with(treeBase, "helper.go", "func helper(s string) string {\n\treturn s + suffix\n}", "func helper(s string) string"))
		}, ErrUnsupported, "without a Go body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "p")
			writeTree(t, dir, treeBase)
			s := siteIn(t, dir, "f.go", "example.com/p.F", "func F(")
			tc.change(t, dir, &s)
			d, err := new(Cache).digestSite(s)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("digest %q, error %v; want an error matching %v", d, err, tc.kind)
			}
			for _, want := range []string{"example.com/p.F", tc.says, `cairn.Register(name, f, cairn.Version("1"))`} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}
