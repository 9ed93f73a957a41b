package ckptcli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/ckptcli"
)

// packedFixture writes a file store whose small entries a/1, a/2, a/3 are
// packed, and returns a function that opens it (once the test has damaged
// it: a Store reads a sealed pack once), the path of its pack, and the
// offset of each key's record in it.
func packedFixture(t *testing.T) (func() *checkpoint.Store, string, map[string]int) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := checkpoint.Open(ctx, "file://"+dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a/1", "a/2", "a/3"} {
		if _, err := s.Put(ctx, k, []float64{1, 2, 3}, checkpoint.Meta{}); err != nil {
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
	// A record is a 28-byte header, the key, then the data (see the file
	// store's record.go): the key's first bytes in the file are its own.
	offs := map[string]int{}
	for _, k := range []string{"a/1", "a/2", "a/3"} {
		offs[k] = bytes.Index(b, []byte(k)) - 28
	}
	open := func() *checkpoint.Store {
		s, err := checkpoint.Open(ctx, "file://"+dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return open, packs[0], offs
}

func flipByte(t *testing.T, path string, off int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0xff
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyPackHeaderDamage: a flipped byte in a packed record's header
// (its data length) is found by verify, which names the key and fails.
func TestVerifyPackHeaderDamage(t *testing.T) {
	open, pack, offs := packedFixture(t)
	flipByte(t, pack, offs["a/2"]+8)
	s := open()
	var out bytes.Buffer
	err := ckptcli.Verify(context.Background(), &out, s, "")
	if !errors.Is(err, ckptcli.ErrCorruptFound) || !strings.Contains(err.Error(), "a/2") {
		t.Fatalf("verify = %v, want ErrCorruptFound naming a/2\n%s", err, out.String())
	}
	for _, want := range []string{
		fmt.Sprintf(`CORRUPT a/2: checkpoint: corrupt checkpoint "a/2": its packed record, at offset %d of %s, is damaged`, offs["a/2"], pack),
		"verified 3 checkpoints, ",
		": 1 corrupt\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("verify output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "DAMAGED") {
		t.Errorf("verify reports a/2 twice:\n%s", out.String())
	}
}

// TestVerifyPackUnreadableKey: a flipped byte in a packed record's key
// makes the record's key unreadable; verify says a record was lost there,
// by pack and offset, and fails.
func TestVerifyPackUnreadableKey(t *testing.T) {
	open, pack, offs := packedFixture(t)
	flipByte(t, pack, offs["a/3"]+28)
	s := open()
	var out bytes.Buffer
	err := ckptcli.Verify(context.Background(), &out, s, "a/")
	if !errors.Is(err, ckptcli.ErrCorruptFound) || !strings.Contains(err.Error(), "1 damaged record") {
		t.Fatalf("verify = %v, want ErrCorruptFound counting 1 damaged record\n%s", err, out.String())
	}
	for _, want := range []string{
		fmt.Sprintf("DAMAGED offset %d of %s: ", offs["a/3"], pack),
		"a record whose key cannot be read", "what it held is lost",
		"verified 2 checkpoints, ",
		": 0 corrupt, 1 damaged record besides\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("verify output lacks %q:\n%s", want, out.String())
		}
	}
}
