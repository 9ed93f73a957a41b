package all_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/all"
	"github.com/cairnlabs/cairn/checkpoint/blobstore"
	"github.com/cairnlabs/cairn/checkpoint/internal/builtin"
	"github.com/cairnlabs/cairn/checkpoint/natsstore"
	"github.com/cairnlabs/cairn/checkpoint/sqlstore"
)

func TestSchemesRegistered(t *testing.T) {
	got := checkpoint.Schemes()
	for _, want := range []string{"file", "mem"} {
		if !slices.Contains(got, want) {
			t.Errorf("scheme %q is not registered; registered: %q", want, got)
		}
	}
	t.Logf("registered schemes: %q", got)
	s, err := checkpoint.Open(context.Background(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// TestBuiltinTable checks the table behind checkpoint.Open's "add import"
// error against what the drivers register: the same schemes, each with the
// package that registers it.
func TestBuiltinTable(t *testing.T) {
	if got, want := checkpoint.Schemes(), builtin.Schemes(); !slices.Equal(got, want) {
		t.Errorf("checkpoint/all registers %q; the table of built-in drivers names %q", got, want)
	}
	for pkg, schemes := range map[string][]string{
		"checkpoint/blobstore": blobstore.Schemes,
		"checkpoint/sqlstore":  {sqlstore.Scheme},
		"checkpoint/natsstore": {natsstore.Scheme},
		"checkpoint/filestore": {"file"},
		"checkpoint/memstore":  {"mem"},
	} {
		for _, s := range schemes {
			if got, _ := builtin.Package(s); got != builtin.Module+"/"+pkg {
				t.Errorf("the table says %q is registered by %q, not %s", s, got, pkg)
			}
		}
	}
}
