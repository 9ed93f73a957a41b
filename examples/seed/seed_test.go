package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEditingInnerRecomputesOnlyInner is the user's story with automatic
// keys: run the example, fix inner in its source, run again. The block
// sums are restored and only inner runs, with no flag telling cairn that
// inner changed: its key follows its code. A comment edit changes nothing.
func TestEditingInnerRecomputesOnlyInner(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example three times")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(mod, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// The user's module: the example's main.go, requiring cairn from this
	// checkout, with cairn's own requirements.
	body := strings.Replace(string(gomod), "module github.com/cairnlabs/cairn", "module example.com/seeduser", 1)
	body += "\nrequire github.com/cairnlabs/cairn v0.0.0\nreplace github.com/cairnlabs/cairn => " + root + "\n"
	write("go.mod", body)
	write("go.sum", string(sum))
	write("main.go", string(src))
	store := "file://" + t.TempDir()

	run := func(wantErr bool) string {
		t.Helper()
		bin := filepath.Join(mod, "seed")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = mod
		build.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		out, err := exec.Command(bin, "-store", store).CombinedOutput()
		if (err != nil) != wantErr {
			t.Fatalf("run: err %v, want error %v\n%s", err, wantErr, out)
		}
		return string(out)
	}
	counts := regexp.MustCompile(`computed (\d+), restored (\d+) thunks`)
	expect := func(out, computed, restored string) {
		t.Helper()
		m := counts.FindStringSubmatch(out)
		if m == nil || m[1] != computed || m[2] != restored {
			t.Fatalf("want computed %s, restored %s; got:\n%s", computed, restored, out)
		}
	}

	out := run(true)
	expect(out, "128", "0")
	if !strings.Contains(out, "DomainError") {
		t.Fatalf("run 1 did not fail in inner:\n%s", out)
	}
	// The fix the seed asks for, in the source.
	fixed := strings.Replace(string(src), "\tif s < 0 {\n\t\treturn 0, fmt.Errorf(\"DomainError", "\ts = math.Abs(s)\n\tif s < 0 {\n\t\treturn 0, fmt.Errorf(\"DomainError", 1)
	if fixed == string(src) {
		t.Fatal("the edit did not apply: inner's last line changed?")
	}
	write("main.go", fixed)
	out = run(false)
	expect(out, "1", "64")
	if !strings.Contains(out, "z = 27.46") {
		t.Fatalf("run 2 result:\n%s", out)
	}
	// A comment and a blank line: same code, same key, the final result
	// is restored.
	commented := strings.Replace(fixed, "func inner(", "// inner, fixed.\n\nfunc inner(", 1)
	write("main.go", commented)
	out = run(false)
	expect(out, "0", "1")
	// Another change of inner's code after its result was checkpointed:
	// name-only keys would restore the old z; its key follows the code.
	doubled := strings.Replace(commented, "\treturn math.Sqrt(s), nil\n}", "\treturn 2 * math.Sqrt(s), nil\n}", 1)
	if doubled == commented {
		t.Fatal("the second edit did not apply")
	}
	write("main.go", doubled)
	out = run(false)
	expect(out, "1", "64")
	if !strings.Contains(out, "z = 54.92") {
		t.Fatalf("run 4 result, want 2 × 27.46:\n%s", out)
	}
}
