package srcver

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// sumOf returns the fingerprint of the first top-level declaration named
// name in the Go source src.
func sumOf(t *testing.T, src, name string) [32]byte {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	p := &pkgIndex{byName: map[string][]int{}, methods: map[string][]int{}, methodsOf: map[string][]int{}}
	p.files = []srcFile{{name: "x.go"}}
	if err := p.addFile(fset, f, 0); err != nil {
		t.Fatal(err)
	}
	for _, d := range p.decls {
		if d.name == name {
			return d.sum
		}
	}
	t.Fatalf("no declaration %s in\n%s", name, src)
	return [32]byte{}
}

const fpBase = `package p

import (
	"fmt"
	"fmt"
	"strings"
)

func F(xs []string, n int) string {
	if n > 1 {
		xs = append(xs, "more")
	}
	ys := []int{
		1,
		2,
	}
	for i := range ys {
		n += ys[i]
	}
	return fmt.Sprint(strings.Join(xs, ","), n)
}
`

func TestFingerprintIgnoresLayout(t *testing.T) {
	want := sumOf(t, fpBase, "F")
	for name, src := range map[string]string{
		"comments": edit(fpBase,
			"func F(", "// F does things.\n//\n// Really.\nfunc F(",
			"\tys :=", "\t/* the list */ ys := // here\n\t\t",
			"return", "// Done.\n\treturn"),
		"blank lines and indentation": edit(fpBase, "\n\t", "\n\n  ", "\n}", "\n\n}"),
		"one line": edit(fpBase,
			"{\n\t\txs = append(xs, \"more\")\n\t}", `{ xs = append(xs, "more") }`,
			"{\n\t\t1,\n\t\t2,\n\t}", "{1, 2}"),
		"semicolons": edit(fpBase,
			"{\n\t\tn += ys[i]\n\t}", "{ n += ys[i]; }",
			"\"more\")\n", "\"more\");\n"),
		"parentheses gofmt drops": edit(fpBase, "if n > 1 {", "if (n > 1) {", "for i := range ys {", "for i := range (ys) {"),
		"CRLF":                    strings.ReplaceAll(fpBase, "\n", "\r\n"),
		"imports reordered":       edit(fpBase, "\t\"fmt\"\n\t\"strings\"\n", "\t\"strings\"\n\n\t\"fmt\"\n"),
		"another declaration":     fpBase + "\nfunc G() {}\n",
	} {
		t.Run(name, func(t *testing.T) {
			if got := sumOf(t, src, "F"); got != want {
				t.Errorf("fingerprint changed for\n%s", src)
			}
		})
	}
}

func TestFingerprintSeesCode(t *testing.T) {
	want := sumOf(t, fpBase, "F")
	for name, src := range map[string]string{
		"a constant":                 edit(fpBase, "n > 1", "n > 2"),
		"an operator":                edit(fpBase, "n += ys[i]", "n -= ys[i]"),
		"a string":                   edit(fpBase, `","`, `";"`),
		"an element":                 edit(fpBase, "\t\t2,\n", "\t\t2,\n\t\t3,\n"),
		"a renamed local variable":   edit(fpBase, "ys", "zs"),
		"a parameter type":           edit(fpBase, "n int", "n int64"),
		"parentheses in expressions": edit(fpBase, "n += ys[i]", "n += (ys[i])"),
		"an import path":             edit(fpBase, `"strings"`, `strings "example.com/strings"`),
		"an import added":            edit(fpBase, `"strings"`, "\"strings\"\n\t_ \"embed\""),
	} {
		t.Run(name, func(t *testing.T) {
			if got := sumOf(t, src, "F"); got == want {
				t.Errorf("fingerprint unchanged for\n%s", src)
			}
		})
	}
}

// edit returns src with each old replaced by its new (all occurrences),
// and panics if an old is not in src: an edit that does not apply would
// make a test pass for nothing.
func edit(src string, oldnew ...string) string {
	for i := 0; i < len(oldnew); i += 2 {
		if !strings.Contains(src, oldnew[i]) {
			panic(fmt.Sprintf("edit: %q is not in the source", oldnew[i]))
		}
		src = strings.ReplaceAll(src, oldnew[i], oldnew[i+1])
	}
	return src
}
