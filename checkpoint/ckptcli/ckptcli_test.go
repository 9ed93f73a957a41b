package ckptcli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/ckptcli"
	_ "github.com/cairnlabs/cairn/checkpoint/filestore"
)

// fixture returns a file store holding a/1, a/2 (run r1) and bad (corrupt).
func fixture(t *testing.T) (*checkpoint.Store, string) {
	t.Helper()
	ctx := checkpoint.WithRun(context.Background(), "r1")
	dir := t.TempDir()
	s, err := checkpoint.Open(ctx, "file://"+dir+"?pack=false") // "bad" is damaged in its own file
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, k := range []string{"a/1", "a/2", "bad"} {
		if _, err := s.Put(ctx, k, []float64{1, 2, 3}, checkpoint.Meta{Func: "main.sum"}); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "bad~ck")
	b, _ := os.ReadFile(p)
	b[len(b)-1] ^= 1
	os.WriteFile(p, b, 0o600)
	return s, dir
}

func TestLs(t *testing.T) {
	s, _ := fixture(t)
	var out bytes.Buffer
	if err := ckptcli.Ls(context.Background(), &out, s, "", false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a/1", "a/2", "bad", "Float64s", "main.sum", "r1", "3 checkpoints"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("ls output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := ckptcli.Ls(context.Background(), &out, s, "a/", true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("ls --json a/ gave %d lines:\n%s", len(lines), out.String())
	}
	var e struct{ Key, Codec, Run string }
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil || e.Key != "a/1" || e.Codec != "Float64s" || e.Run != "r1" {
		t.Fatalf("ls --json line %q: %+v, %v", lines[0], e, err)
	}
}

func TestInspect(t *testing.T) {
	s, _ := fixture(t)
	var out bytes.Buffer
	if err := ckptcli.Inspect(context.Background(), &out, s, "a/1"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"key:", "a/1", "checksums: ok", "main.sum"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	err := ckptcli.Inspect(context.Background(), &out, s, "bad")
	if !errors.Is(err, checkpoint.ErrCorrupt) || !strings.Contains(out.String(), "FAILED") {
		t.Fatalf("inspect of a corrupt checkpoint = %v:\n%s", err, out.String())
	}
}

func TestVerify(t *testing.T) {
	s, _ := fixture(t)
	var out bytes.Buffer
	err := ckptcli.Verify(context.Background(), &out, s, "")
	if !errors.Is(err, ckptcli.ErrCorruptFound) || !strings.Contains(err.Error(), "bad") || strings.Contains(err.Error(), "a/1") {
		t.Fatalf("verify = %v, want ErrCorruptFound naming only bad", err)
	}
	if !strings.Contains(out.String(), "CORRUPT bad") || !strings.Contains(out.String(), "1 corrupt") {
		t.Fatalf("verify output:\n%s", out.String())
	}
	if err := ckptcli.Verify(context.Background(), &out, s, "a/"); err != nil {
		t.Fatalf("verify of the good prefix = %v", err)
	}
}

func TestGCAndRm(t *testing.T) {
	s, _ := fixture(t)
	ctx := context.Background()
	var out bytes.Buffer
	time.Sleep(time.Millisecond) // every entry is older than OlderThan
	err := ckptcli.GC(ctx, &out, s, checkpoint.GCPolicy{OlderThan: time.Nanosecond, DryRun: true})
	if err != nil || !strings.Contains(out.String(), "would delete a/1") || !strings.Contains(out.String(), "would delete 3 of 3") {
		t.Fatalf("gc --dry-run = %v:\n%s", err, out.String())
	}
	out.Reset()
	err = ckptcli.Rm(ctx, &out, s, []string{"a/1", "bad", "nope"})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("rm with a missing key = %v, want an error naming it", err)
	}
	if !strings.Contains(out.String(), "removed a/1") || !strings.Contains(out.String(), "removed bad") {
		t.Fatalf("rm output:\n%s", out.String())
	}
	out.Reset()
	ckptcli.Ls(ctx, &out, s, "", false)
	if !strings.Contains(out.String(), "1 checkpoint,") {
		t.Fatalf("after rm:\n%s", out.String())
	}
}

// TestRmNamesMissingKeysOnce checks that a missing key is reported once,
// in the error, and not also on the output.
func TestRmNamesMissingKeysOnce(t *testing.T) {
	s, _ := fixture(t)
	var out bytes.Buffer
	err := ckptcli.Rm(context.Background(), &out, s, []string{"a/1", "nope"})
	if !errors.Is(err, ckptcli.ErrNoCheckpoint) || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("rm a/1 nope = %v, want ErrNoCheckpoint naming nope", err)
	}
	if strings.Contains(out.String(), "nope") || !strings.Contains(out.String(), "removed a/1") {
		t.Fatalf("rm output %q: want a/1 removed, and nope only in the error", out.String())
	}
}

// TestGCNeedsACriterion checks that gc with no criterion deletes nothing
// and says which flags select what to delete.
func TestGCNeedsACriterion(t *testing.T) {
	s, _ := fixture(t)
	ctx := context.Background()
	for _, p := range []checkpoint.GCPolicy{{}, {Prefix: "a/"}, {DryRun: true}} {
		var out bytes.Buffer
		err := ckptcli.GC(ctx, &out, s, p)
		if !errors.Is(err, ckptcli.ErrNoCriterion) {
			t.Fatalf("gc %+v = %v, want ErrNoCriterion", p, err)
		}
		for _, flag := range []string{"--older-than", "--max-size", "--not-last-run"} {
			if !strings.Contains(err.Error(), flag) {
				t.Errorf("gc with no criterion: %q does not name %s", err, flag)
			}
		}
	}
	if err := ckptcli.GC(ctx, io.Discard, s, checkpoint.GCPolicy{Run: "r1"}); err == nil || !strings.Contains(err.Error(), "--not-last-run") {
		t.Errorf("gc --run without --not-last-run = %v, want an error naming --not-last-run", err)
	}
	var out bytes.Buffer
	ckptcli.Ls(ctx, &out, s, "", false)
	if !strings.Contains(out.String(), "3 checkpoints") {
		t.Fatalf("after gc without a criterion:\n%s", out.String())
	}
}

// TestGCErrorsNameFlags checks that gc --not-last-run's refusals speak of
// the command's flags, not of the Go API, and still match the store's
// errors.
func TestGCErrorsNameFlags(t *testing.T) {
	ctx := context.Background()
	s, _ := fixture(t) // run r1 wrote it and never ended
	var rne *checkpoint.RunNotEndedError
	err := ckptcli.GC(ctx, io.Discard, s, checkpoint.GCPolicy{NotLastRun: true})
	if !errors.As(err, &rne) || !strings.Contains(err.Error(), "r1") {
		t.Fatalf("gc --not-last-run after an unfinished run = %v, want a *RunNotEndedError naming r1", err)
	}
	checkFlagWords(t, err)

	bare, err := checkpoint.Open(ctx, "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	bare.Put(ctx, "k", 1.0, checkpoint.Meta{}) // no run
	err = ckptcli.GC(ctx, io.Discard, bare, checkpoint.GCPolicy{NotLastRun: true})
	if !errors.Is(err, checkpoint.ErrNoRunRecorded) {
		t.Fatalf("gc --not-last-run with no run recorded = %v, want ErrNoRunRecorded", err)
	}
	checkFlagWords(t, err)

	// A mistyped run id would doom every checkpoint: refused.
	err = ckptcli.GC(ctx, io.Discard, s, checkpoint.GCPolicy{NotLastRun: true, Run: "r9"})
	if !errors.Is(err, checkpoint.ErrUnknownRun) || !strings.Contains(err.Error(), "r9") {
		t.Fatalf("gc --not-last-run --run r9 (unknown) = %v, want ErrUnknownRun naming r9", err)
	}
	checkFlagWords(t, err)
	var out bytes.Buffer
	ckptcli.Ls(ctx, &out, s, "", false)
	if !strings.Contains(out.String(), "3 checkpoints") {
		t.Fatalf("after a refused gc --run r9:\n%s", out.String())
	}
}

func checkFlagWords(t *testing.T, err error) {
	t.Helper()
	if !strings.Contains(err.Error(), "--run") {
		t.Errorf("%q does not name --run", err)
	}
	for _, api := range []string{"GCPolicy", "WithRun", "checkpoint."} {
		if strings.Contains(err.Error(), api) {
			t.Errorf("%q cites the Go API (%s) instead of the flags", err, api)
		}
	}
}
