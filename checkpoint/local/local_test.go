package local_test

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/local"
)

func TestSchemes(t *testing.T) {
	if got := checkpoint.Schemes(); !slices.Equal(got, []string{"file", "mem"}) {
		t.Fatalf("Schemes() = %q, want [file mem]", got)
	}
	ctx := context.Background()
	for _, url := range []string{"file://" + t.TempDir(), "mem://"} {
		s, err := checkpoint.Open(ctx, url)
		if err != nil {
			t.Fatalf("Open(%q): %v", url, err)
		}
		if _, err := s.Put(ctx, "k", 1.5, checkpoint.Meta{}); err != nil {
			t.Fatalf("%s: Put: %v", url, err)
		}
		s.Close()
	}
}

// TestLight checks that the package stays light: nothing it links comes
// from the cloud SDKs, NATS or SQLite, which checkpoint/all brings.
func TestLight(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/cairnlabs/cairn/checkpoint/local").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, heavy := range []string{"gocloud.dev", "github.com/aws", "github.com/Azure", "cloud.google.com", "google.golang.org", "github.com/nats-io", "modernc.org/sqlite", "go.opentelemetry.io"} {
			if strings.HasPrefix(pkg, heavy) {
				t.Errorf("checkpoint/local links %s", pkg)
			}
		}
	}
}
