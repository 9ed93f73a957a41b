package checkpoint_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/checkpoint/memstore"
)

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct{ url, says string }{
		{"nosuch://x", `checkpoint: unknown store scheme "nosuch" (forgotten import of its driver package?)`},
		{"/scratch/run1", "has no scheme"},
		{"mem://?compression=lz4", "compression"},
		{"%zz://", "does not parse"},
	}
	for _, c := range cases {
		s, err := checkpoint.Open(ctx, c.url)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", c.url)
			continue
		}
		if !strings.Contains(err.Error(), c.says) {
			t.Errorf("Open(%q) = %q, want it to say %q", c.url, err, c.says)
		}
	}
}

func TestOpenCompressionParameter(t *testing.T) {
	ctx := context.Background()
	s, err := checkpoint.Open(ctx, "mem://?compression=none&budget=1MiB")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info, err := s.Put(ctx, "zeros", make([]float64, 1024), checkpoint.Meta{})
	if err != nil || info.Compressed {
		t.Fatalf("Put with compression=none = %+v, %v; want uncompressed", info, err)
	}
}

func TestRegisterDuplicatePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `"mem"`) {
			t.Fatalf("duplicate Register recovered %v, want a panic naming the scheme", r)
		}
	}()
	checkpoint.Register("mem", func(context.Context, *url.URL) (driver.Driver, error) { return memstore.New(nil), nil })
}

func TestSchemes(t *testing.T) {
	if s := checkpoint.Schemes(); !slices.Contains(s, "mem") || !slices.Contains(s, "file") {
		t.Fatalf("Schemes() = %q, want file and mem", s)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"512": 512, "64MiB": 64 << 20, "10GiB": 10 << 30, "1.5GB": 1.5e9, "64M": 64 << 20,
		"2kib": 2048, "3 KB": 3000, "0": 0, "7B": 7,
	} {
		if got, err := checkpoint.ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "10 parsecs", "MiB", "1e400", "-5"} {
		if _, err := checkpoint.ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded, want an error", in)
		}
	}
	if got := checkpoint.FormatSize(8 << 20); got != "8.0MiB" {
		t.Errorf("FormatSize(8MiB) = %q", got)
	}
}

// TestOpenExistingAsksForCreateFalse checks that OpenExisting passes
// create=false to the driver, whatever the URL says, and that the
// *NoStoreError a driver returns names the caller's URL, password hidden.
func TestOpenExistingAsksForCreateFalse(t *testing.T) {
	var got []string
	checkpoint.Register("test-existing", func(_ context.Context, u *url.URL) (driver.Driver, error) {
		got = append(got, u.Query().Get("create"))
		if u.Query().Get("create") == "false" {
			return nil, &checkpoint.NoStoreError{Reason: "nothing there"}
		}
		return memstore.New(nil), nil
	})
	ctx := context.Background()
	s, err := checkpoint.Open(ctx, "test-existing://user:secret@host/x")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = checkpoint.OpenExisting(ctx, "test-existing://user:secret@host/x?create=true")
	var nse *checkpoint.NoStoreError
	if !errors.Is(err, checkpoint.ErrNoStore) || !errors.As(err, &nse) {
		t.Fatalf("OpenExisting = %v, want a *NoStoreError", err)
	}
	if want := "checkpoint: no store at test-existing://user:xxxxx@host/x?create=true: nothing there"; err.Error() != want {
		t.Errorf("OpenExisting error %q, want %q", err, want)
	}
	if !slices.Equal(got, []string{"", "false"}) {
		t.Errorf("the driver was asked create=%q, want \"\" for Open and \"false\" for OpenExisting", got)
	}
}
