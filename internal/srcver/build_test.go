package srcver

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// probeLine is one line of the probe's output.
type probeLine struct{ digest, kind, err string }

// probe is a probe program written to a directory of its own.
type probe struct {
	t   *testing.T
	dir string
}

// newProbe writes files as the probe module in dir (under a fresh
// temporary directory). It imports this package from this module, so the
// probe's module path sits under it: internal packages are importable
// from below their parent's path.
func newProbe(t *testing.T, dir string, files map[string]string) *probe {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	all := maps.Clone(files)
	all["go.mod"] = fmt.Sprintf(probeMod, root)
	all["go.sum"] = string(sum)
	for name, src := range all {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &probe{t, dir}
}

// build builds the probe with go build and flags, and returns the binary's
// path.
func (p *probe) build(flags ...string) string {
	p.t.Helper()
	bin := filepath.Join(p.t.TempDir(), "probe")
	cmd := exec.Command("go", append(append([]string{"build", "-o", bin}, flags...), ".")...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("go build %v: %v\n%s", flags, err, out)
	}
	return bin
}

// run runs a probe binary and returns its digests by function.
func run(t *testing.T, bin string) map[string]probeLine {
	t.Helper()
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	lines := map[string]probeLine{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(l, "\t", 4)
		if len(f) != 4 {
			t.Fatalf("probe printed %q", l)
		}
		lines[f[0]] = probeLine{f[1], f[2], f[3]}
	}
	return lines
}

// setFile replaces a file of the probe and gives it a modification time.
func (p *probe) setFile(name, src string, mod time.Time) {
	p.t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		p.t.Fatal(err)
	}
	if err := os.Chtimes(path, mod, mod); err != nil {
		p.t.Fatal(err)
	}
}

func TestBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds four binaries")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command:", err)
	}
	funcs := []string{"Top", "Other", "Acc.Add", "Acc.Total", "Scaled", "Areas", "Pick"}

	base := newProbe(t, "probe", probeBase)
	bin := base.build()
	want := run(t, bin)
	for _, f := range funcs {
		if l := want[f]; l.kind != "ok" || len(l.digest) != 64 {
			t.Fatalf("%s: %+v, want a digest", f, l)
		}
	}
	if l := want["literal"]; !strings.Contains(l.kind, "no declaration") || !strings.Contains(l.err, "main.init.func1") {
		t.Errorf("literal: %+v, want ErrUnsupported naming main.init.func1", l)
	}
	if again := run(t, bin); !maps.Equal(again, want) {
		t.Errorf("second run of the same binary:\n%v\nfirst:\n%v", again, want)
	}

	t.Run("comments and layout, elsewhere", func(t *testing.T) {
		got := run(t, newProbe(t, "elsewhere/other", probeCosmetic).build())
		for _, f := range funcs {
			if got[f] != want[f] {
				t.Errorf("%s: %+v, want %+v", f, got[f], want[f])
			}
		}
	})

	t.Run("code edited", func(t *testing.T) {
		got := run(t, newProbe(t, "probe", probeEdited).build())
		var changed []string
		for _, f := range funcs {
			if got[f].kind != "ok" {
				t.Errorf("%s: %+v", f, got[f])
			}
			if got[f].digest != want[f].digest {
				changed = append(changed, f)
			}
		}
		if wantChanged := []string{"Top", "Acc.Add", "Acc.Total", "Scaled", "Areas", "Pick"}; !slices.Equal(changed, wantChanged) {
			t.Errorf("digests changed for %v, want %v", changed, wantChanged)
		}
	})

	t.Run("-trimpath", func(t *testing.T) {
		got := run(t, base.build("-trimpath"))
		for _, f := range funcs {
			if l := got[f]; !strings.Contains(l.kind, "source not available") || !strings.Contains(l.err, "-trimpath") {
				t.Errorf("%s: %+v, want ErrNoSource saying -trimpath", f, l)
			}
		}
	})

	// The rest run the first binary against a changed source tree.
	info, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	old := info.ModTime().Add(-time.Second)

	t.Run("helper edited since the build", func(t *testing.T) {
		base.setFile("helpers.go", edit(probeBase["helpers.go"], "x * 3", "x * 4"), time.Now())
		defer base.setFile("helpers.go", probeBase["helpers.go"], old)
		got := run(t, bin)
		if l := got["Top"]; !strings.Contains(l.kind, "source changed") || !strings.Contains(l.err, "main.Top") || !strings.Contains(l.err, "helpers.go was modified") {
			t.Errorf("Top: %+v, want ErrStale naming main.Top and helpers.go", l)
		}
		if got["Other"] != want["Other"] {
			t.Errorf("Other: %+v, want %+v", got["Other"], want["Other"])
		}
	})

	t.Run("declaration moved since the build, file dated before it", func(t *testing.T) {
		base.setFile("work.go", edit(probeBase["work.go"], "// Top calls", "// Lines\n// above.\n\n// Top calls"), old)
		defer base.setFile("work.go", probeBase["work.go"], old)
		got := run(t, bin)
		if l := got["Top"]; !strings.Contains(l.kind, "source changed") || !strings.Contains(l.err, "the binary has it at work.go:4, but the source declares it at [work.go:7]") {
			t.Errorf("Top: %+v, want ErrStale saying where Top moved", l)
		}
	})

	t.Run("source moved away", func(t *testing.T) {
		if err := os.Rename(base.dir, base.dir+".moved"); err != nil {
			t.Fatal(err)
		}
		defer os.Rename(base.dir+".moved", base.dir)
		got := run(t, bin)
		for _, f := range funcs {
			if l := got[f]; !strings.Contains(l.kind, "source not available") || !strings.Contains(l.err, `cairn.Version("1")`) {
				t.Errorf("%s: %+v, want ErrNoSource saying how to pin a version", f, l)
			}
		}
	})
}
