package all_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/all"
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
