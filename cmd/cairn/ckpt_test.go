package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
)

// runCairn runs the cairn binary with args and returns its stdout, its stderr
// and its exit status.
func runCairn(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(cairnBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("cairn %q: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// storeWith returns the URL of a file store holding the given keys.
func storeWith(t *testing.T, keys ...string) string {
	t.Helper()
	ctx := checkpoint.WithRun(context.Background(), "run-1")
	u := "file://" + t.TempDir()
	s, err := checkpoint.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if _, err := s.Put(ctx, k, 1.5, checkpoint.Meta{Func: "main.f"}); err != nil {
			t.Fatal(err)
		}
	}
	s.EndRun(ctx, "run-1")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCkptNeverCreatesAStore runs every ckpt command on a mistyped store
// URL: each must fail, name the path, and leave nothing behind.
func TestCkptNeverCreatesAStore(t *testing.T) {
	dir := t.TempDir()
	for _, where := range []struct{ url, path string }{
		{"file://" + dir + "/typo/ckpt", dir + "/typo"},
		{"sqlite://" + dir + "/typo2/ckpt.db", dir + "/typo2"},
		{"blob+file://" + dir + "/typo3/ckpt", dir + "/typo3"},
	} {
		for _, args := range [][]string{
			{"ls", where.url}, {"inspect", where.url, "k"}, {"verify", where.url},
			{"gc", "--older-than", "1h", where.url}, {"rm", where.url, "k"},
		} {
			out, errOut, code := runCairn(t, append([]string{"ckpt"}, args...)...)
			if code == 0 {
				t.Errorf("cairn ckpt %q exited 0 on a store that does not exist:\n%s", args, out)
			}
			if !strings.Contains(errOut, where.path) || !strings.Contains(errOut, "no store") {
				t.Errorf("cairn ckpt %q said %q; want it to say there is no store at %s", args, errOut, where.path)
			}
			if _, err := os.Stat(where.path); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("cairn ckpt %q created %s", args, where.path)
			}
		}
	}
	out, errOut, code := runCairn(t, "ckpt", "ls", "mem://")
	if code == 0 || !strings.Contains(errOut, "mem://") {
		t.Errorf("cairn ckpt ls mem:// = %d, %q %q; want an error: no mem:// store outlives its process", code, out, errOut)
	}
}

// TestCkptLs checks the listing's header, so that the README can say what
// the columns are.
func TestCkptLs(t *testing.T) {
	u := storeWith(t, "sum/1", "sum/2")
	out, errOut, code := runCairn(t, "ckpt", "ls", u)
	if code != 0 {
		t.Fatalf("cairn ckpt ls: %d %s", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if got := strings.Fields(lines[0]); strings.Join(got, " ") != "KEY SIZE CODEC LAST USED FUNC RUN" {
		t.Errorf("header %q", lines[0])
	}
	if !strings.Contains(out, "sum/1") || !strings.Contains(out, "main.f") || !strings.Contains(out, "2 checkpoints") {
		t.Errorf("cairn ckpt ls:\n%s", out)
	}
}

// TestCkptErrorsOnce checks that an error is printed once, on stderr.
func TestCkptErrorsOnce(t *testing.T) {
	u := storeWith(t, "a")
	out, errOut, code := runCairn(t, "ckpt", "rm", u, "a", "nope")
	if code == 0 || strings.Count(out+errOut, "nope") != 1 || !strings.Contains(errOut, "nope") {
		t.Errorf("cairn ckpt rm a nope: exit %d, stdout %q, stderr %q; want nope named once, on stderr", code, out, errOut)
	}
	if !strings.Contains(out, "removed a") {
		t.Errorf("cairn ckpt rm a nope: stdout %q, want a removed", out)
	}
	_, errOut, code = runCairn(t, "ckpt", "rm", u)
	if code == 0 || strings.Count(errOut, "arg") != 1 {
		t.Errorf("cairn ckpt rm with no key: exit %d, stderr %q", code, errOut)
	}
}

// TestCkptGCFlags checks gc's flags: a criterion is required, durations
// take days, and refusals name flags rather than Go API names.
func TestCkptGCFlags(t *testing.T) {
	u := storeWith(t, "a", "b")
	_, errOut, code := runCairn(t, "ckpt", "gc", u)
	if code == 0 || !strings.Contains(errOut, "--older-than") || !strings.Contains(errOut, "--max-size") || !strings.Contains(errOut, "--not-last-run") {
		t.Errorf("cairn ckpt gc with no criterion: exit %d, %q; want an error listing the criteria", code, errOut)
	}
	for _, d := range []string{"7d", "1d12h", "2w", "72h", "90m"} {
		out, errOut, code := runCairn(t, "ckpt", "gc", "--dry-run", "--older-than", d, u)
		if code != 0 || !strings.Contains(out, "would delete 0 of 2") {
			t.Errorf("cairn ckpt gc --older-than %s: exit %d, %q %q", d, code, out, errOut)
		}
	}
	for _, bad := range [][]string{{"--older-than", "7x"}, {"--older-than", "-1h"}, {"--older-than", "0"}, {"--max-size", "0"}, {"--max-size", "lots"}} {
		_, errOut, code := runCairn(t, append([]string{"ckpt", "gc", u}, bad...)...)
		if code == 0 || !strings.Contains(errOut, bad[0]) {
			t.Errorf("cairn ckpt gc %q: exit %d, %q; want an error naming %s", bad, code, errOut, bad[0])
		}
	}
	bare := "file://" + t.TempDir()
	s, err := checkpoint.Open(context.Background(), bare)
	if err != nil {
		t.Fatal(err)
	}
	s.Put(context.Background(), "k", 1.0, checkpoint.Meta{})
	s.Close()
	_, errOut, code = runCairn(t, "ckpt", "gc", "--not-last-run", bare)
	if code == 0 || !strings.Contains(errOut, "--run") || strings.Contains(errOut, "GCPolicy") || strings.Contains(errOut, "WithRun") {
		t.Errorf("cairn ckpt gc --not-last-run with no run recorded: exit %d, %q; want an error naming --run, not the Go API", code, errOut)
	}
}

// TestVersion checks `cairn --version`.
func TestVersion(t *testing.T) {
	out, errOut, code := runCairn(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "cairn version ") || !strings.Contains(out, "built with go") {
		t.Fatalf("cairn --version: exit %d, %q %q", code, out, errOut)
	}
	if filepath.Base(cairnBin) != "cairn" {
		t.Fatalf("binary %s", cairnBin)
	}
}
