package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
)

// TestCkptVerifyPackDamage damages one byte of a packed checkpoint's record,
// in its header or in its key, and runs `cairn ckpt verify` as a user
// would: it exits 1 and names what was lost, the key when it can be read,
// the pack file and offset when it cannot.
func TestCkptVerifyPackDamage(t *testing.T) {
	for _, c := range []struct {
		name  string
		at    int // from the record's start: its header is 28 bytes, then the key
		wants []string
	}{
		{"header", 8, []string{"CORRUPT sum/block-1: ", "verified 3 checkpoints", ": 1 corrupt\n", "cairn: ckpt: corrupt checkpoints found: sum/block-1 "}},
		{"key", 28, []string{"DAMAGED offset %d of %s: ", "a record whose key cannot be read", "verified 2 checkpoints", ": 0 corrupt, 1 damaged record besides\n", "cairn: ckpt: corrupt checkpoints found: 1 damaged record "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			s, err := checkpoint.Open(ctx, "file://"+dir)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if _, err := s.Put(ctx, fmt.Sprintf("sum/block-%d", i), float64(i), checkpoint.Meta{}); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			packs, _ := filepath.Glob(filepath.Join(dir, "~packs", "*.pack2"))
			if len(packs) != 1 {
				t.Fatalf("packs %q, want 1", packs)
			}
			b, err := os.ReadFile(packs[0])
			if err != nil {
				t.Fatal(err)
			}
			rec := bytes.Index(b, []byte("sum/block-1")) - 28
			b[rec+c.at] ^= 0xff
			if err := os.WriteFile(packs[0], b, 0o600); err != nil {
				t.Fatal(err)
			}

			cmd := exec.Command(cairnBin, "ckpt", "verify", "file://"+dir)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err = cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("cairn ckpt verify: %v, want exit status 1\n%s", err, out.String())
			}
			for _, want := range c.wants {
				if strings.Contains(want, "%d") {
					want = fmt.Sprintf(want, rec, packs[0])
				}
				if !strings.Contains(out.String(), want) {
					t.Errorf("cairn ckpt verify output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}
