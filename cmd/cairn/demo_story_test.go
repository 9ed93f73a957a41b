package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/internal/demo"
)

// demoText runs `cairn demo` with args and returns its text.
func demoText(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := runCairn(t, append([]string{"demo", "--progress", "off"}, args...)...)
	if code != 0 {
		t.Fatalf("cairn demo %q: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

// TestDemoSaysWhatHappened runs the cases where the demo's fixed text used
// to contradict its own counts, and checks that each sentence follows from
// what the run did.
func TestDemoSaysWhatHappened(t *testing.T) {
	t.Run("phase 3 on a fresh store", func(t *testing.T) {
		out := demoText(t, "--phase", "3")
		if !strings.Contains(out, "129 computed") || strings.Contains(out, "nothing runs") || strings.Contains(out, "Nothing ran") ||
			!strings.Contains(out, "Nothing was restored") || !strings.Contains(out, "The final result was checkpointed under checkpoint-final") {
			t.Errorf("cairn demo --phase 3 on a fresh store:\n%s", out)
		}
	})
	t.Run("a seed whose total is positive", func(t *testing.T) {
		out := demoText(t, "--seed", "1", "--phase", "1")
		if strings.Contains(out, "failed, as in the seed") || strings.Contains(out, "inner is fixed") ||
			!strings.Contains(out, "inner did not fail") || !strings.Contains(out, "0 failed") {
			t.Errorf("cairn demo --seed 1 --phase 1:\n%s", out)
		}
	})
	t.Run("the whole story", func(t *testing.T) {
		out := demoText(t)
		runs := strings.Split(out, "\nRun ")
		if len(runs) != 4 {
			t.Fatalf("cairn demo printed %d runs:\n%s", len(runs)-1, out)
		}
		// Every run that says the final result was checkpointed counts it.
		for _, r := range runs[1:] {
			says := strings.Contains(r, "The final result was checkpointed")
			if says && strings.Contains(r, " 0 checkpointed") {
				t.Errorf("a run says the final result was checkpointed beside 0 checkpointed:\n%s", r)
			}
			if strings.Contains(r, "skipped") && !regexp.MustCompile(`\b0 skipped`).MatchString(r) {
				t.Errorf("a run of the demo skipped thunks, but no dependency failed:\n%s", r)
			}
		}
		if !strings.Contains(runs[2], "64 pruned") || !strings.Contains(runs[2], "X was not even generated") {
			t.Errorf("run 2 does not say the blocks of X were pruned:\n%s", runs[2])
		}
		if !strings.Contains(runs[3], "none looked at") || !strings.Contains(runs[3], "Nothing ran") {
			t.Errorf("run 3 does not say the final checkpoint made the graph unnecessary:\n%s", runs[3])
		}
	})
}

// TestDemoReportsRestoreFailures damages one block's checkpoint between
// runs: run 2 must count the failed restore in its JSON and say it in its
// text, and recompute that block.
func TestDemoReportsRestoreFailures(t *testing.T) {
	// damaged returns a store whose run 1 is done and one of whose block
	// checkpoints is damaged.
	damaged := func() string {
		dir := t.TempDir()
		store := "file://" + dir + "?pack=false" // a file per checkpoint, to damage one
		demoRun(t, "--store", store, "--phase", "1")
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*~ck"))
		if more, _ := filepath.Glob(filepath.Join(dir, "*~ck")); len(more) > 0 {
			files = append(files, more...)
		}
		if len(files) < 64 {
			t.Fatalf("run 1 left %d checkpoint files, want the 64 sums", len(files))
		}
		b, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)-1] ^= 0xff
		if err := os.WriteFile(files[0], b, 0o600); err != nil {
			t.Fatal(err)
		}
		return store
	}
	r := demoRun(t, "--store", damaged(), "--phase", "2")[0]
	if r.RestoreFailed != 1 || r.Restored != 63 || r.Computed != 3 || r.Result == nil {
		t.Fatalf("run 2 after one damaged checkpoint: %+v; want 1 restore failed, 63 restored, 3 computed (the block, its sum, inner)", r)
	}
	out := demoText(t, "--store", damaged(), "--phase", "2")
	if !strings.Contains(out, "1 restore failed") {
		t.Errorf("text of run 2 does not count the failed restore:\n%s", out)
	}
	if !strings.Contains(out, "1 checkpoint could not be restored") {
		t.Errorf("text of run 2 does not say a checkpoint could not be restored:\n%s", out)
	}
}

// TestDemoStore checks where the demo keeps its checkpoints: a store that
// `cairn ckpt` reads, named in the text and the JSON, and removed at exit
// unless --dir named it.
func TestDemoStore(t *testing.T) {
	rs := demoRun(t, "--phase", "1")
	tmp, ok := strings.CutPrefix(rs[0].Store, "file://")
	if !ok || tmp == "" {
		t.Fatalf("JSON store %q, want a file:// URL", rs[0].Store)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temporary store %s is still there after the demo: %v", tmp, err)
	}
	dir := filepath.Join(t.TempDir(), "kept")
	out := demoText(t, "--dir", dir, "--phase", "1,2")
	if !strings.Contains(out, "file://"+dir) {
		t.Errorf("the text does not name the store file://%s:\n%s", dir, out)
	}
	ls, errOut, code := runCairn(t, "ckpt", "ls", "file://"+dir)
	if code != 0 || !strings.Contains(ls, "65 checkpoints") || !strings.Contains(ls, demo.BlockKey(63)) || !strings.Contains(ls, demo.FinalKey) {
		t.Fatalf("cairn ckpt ls of the demo's --dir: exit %d\n%s%s", code, ls, errOut)
	}
	var r demo.Result
	line, _, _ := runCairn(t, "demo", "--json", "--progress", "off", "--dir", dir, "--phase", "3")
	if err := json.Unmarshal([]byte(line), &r); err != nil || r.Store != "file://"+dir || !r.FinalRestored {
		t.Fatalf("demo --json --dir: %v %+v", err, r)
	}
}

// TestDemoFlagConflicts checks that flags that make no sense together are
// refused, naming both.
func TestDemoFlagConflicts(t *testing.T) {
	for _, c := range []struct {
		args  []string
		names []string
	}{
		{[]string{"--dir", t.TempDir(), "--store", "mem://"}, []string{"--dir", "--store"}},
		{[]string{"--dash-wait"}, []string{"--dash-wait", "--dash"}},
		{[]string{"--parallelism", "-1"}, []string{"--parallelism"}},
		{[]string{"--size", "0"}, []string{"--size"}},
		{[]string{"--block", "-3"}, []string{"--block"}},
		{[]string{"--phase", "4"}, []string{"--phase"}},
		{[]string{"--progress", "maybe"}, []string{"--progress"}},
	} {
		out, errOut, code := runCairn(t, append([]string{"demo", "--progress", "off"}, c.args...)...)
		if code == 0 || out != "" {
			t.Errorf("cairn demo %q: exit %d, stdout %q; want an error and no run", c.args, code, out)
		}
		for _, n := range c.names {
			if !strings.Contains(errOut, n) {
				t.Errorf("cairn demo %q: %q does not name %s", c.args, errOut, n)
			}
		}
	}
}
