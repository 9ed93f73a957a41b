package filestore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/filestore"
)

// TestURLNamesItsDirectory checks that URL gives a URL that opens the
// directory it was given, whatever characters its name holds, where
// "file://" + dir opens another.
func TestURLNamesItsDirectory(t *testing.T) {
	for _, name := range []string{"plain", "kill-at-40%87", "a b", "q?x=1", "h#frag", "pct%2F", "ü"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			u, err := filestore.URL(dir)
			if err != nil {
				t.Fatal(err)
			}
			st, err := checkpoint.Open(context.Background(), u+"?fsync=false")
			if err != nil {
				t.Fatalf("Open(%q): %v", u, err)
			}
			if _, err := st.Put(context.Background(), "k", 1.0, checkpoint.Meta{}); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, "~packs")); err != nil {
				t.Fatalf("URL %q did not open %q: %v", u, dir, err)
			}
		})
	}
}
