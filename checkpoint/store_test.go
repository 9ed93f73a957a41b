package checkpoint_test

import (
	"context"
	"errors"
	"io/fs"
	"reflect"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/filestore"
	"github.com/cairnlabs/cairn/checkpoint/memstore"
	"github.com/cairnlabs/cairn/codec"
)

// stores returns one fresh Store per driver and configuration, so that every
// Store test runs on each.
func stores(t *testing.T, opts *checkpoint.Options) map[string]*checkpoint.Store {
	t.Helper()
	out := map[string]*checkpoint.Store{}
	add := func(name string, s *checkpoint.Store) {
		t.Cleanup(func() { s.Close() })
		out[name] = s
	}
	add("mem", checkpoint.New(memstore.New(nil), opts))
	fd, err := filestore.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	add("file", checkpoint.New(fd, opts))
	fz, err := filestore.Open(t.TempDir(), &filestore.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	zo := checkpoint.Options{Compression: checkpoint.CompressionZstd}
	if opts != nil {
		zo.Now = opts.Now
	}
	add("file+zstd", checkpoint.New(fz, &zo))
	return out
}

func TestRoundTrip(t *testing.T) {
	ctx := checkpoint.WithRun(context.Background(), "run-1")
	long := make([]float64, 100000)
	for i := range long {
		long[i] = float64(i%1000) * 0.5
	}
	values := []struct {
		key string
		v   any
		typ reflect.Type
	}{
		{"scalar", 3.25, nil},
		{"int", 42, nil},
		{"string", "hello", nil},
		{"floats", []float64{1, -2, 3.5}, nil},
		{"floats/long", long, nil},
		{"floats/empty", []float64{}, reflect.TypeFor[[]float64]()},
		{"bytes", []byte("raw"), nil},
		{"dense", mat.NewDense(2, 2, []float64{1, 2, 3, 4}), nil},
		{"strings", []string{"a", "", "c"}, nil},
		{"typed", []float64{7}, reflect.TypeFor[[]float64]()},
	}
	for name, s := range stores(t, nil) {
		t.Run(name, func(t *testing.T) {
			for _, c := range values {
				meta := checkpoint.Meta{Thunk: "sum#3", Func: "main.sum", Version: "v2"}
				info, err := s.Put(ctx, c.key, c.v, meta)
				if err != nil {
					t.Fatalf("Put(%q): %v", c.key, err)
				}
				if info.Key != c.key || info.Run != "run-1" || info.Created.IsZero() || info.Size <= 48 {
					t.Fatalf("Put(%q) Info = %+v", c.key, info)
				}
				got, ginfo, err := s.Get(ctx, c.key, c.typ)
				if err != nil {
					t.Fatalf("Get(%q): %v", c.key, err)
				}
				if !reflect.DeepEqual(got, c.v) {
					t.Fatalf("Get(%q) = %#v, want %#v", c.key, got, c.v)
				}
				if ginfo.Meta.Thunk != "sum#3" || ginfo.Func != "main.sum" || ginfo.Version != "v2" ||
					ginfo.Run != "run-1" || !ginfo.Created.Equal(info.Created) || ginfo.Size != info.Size ||
					ginfo.Codec != info.Codec || ginfo.Compressed != info.Compressed {
					t.Fatalf("Get(%q) Info = %+v, Put gave %+v", c.key, ginfo, info)
				}
				sinfo, err := s.Stat(ctx, c.key)
				if err != nil {
					t.Fatalf("Stat(%q): %v", c.key, err)
				}
				sinfo.ModTime = time.Time{}
				ginfo.ModTime = time.Time{}
				if !reflect.DeepEqual(sinfo, ginfo) {
					t.Fatalf("Stat(%q) = %+v, Get gave %+v", c.key, sinfo, ginfo)
				}
				if err := s.Verify(ctx, c.key); err != nil {
					t.Fatalf("Verify(%q): %v", c.key, err)
				}
			}
		})
	}
}

func TestCompressionChoice(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t, nil) {
		info, err := s.Put(ctx, "zeros", make([]float64, 4096), checkpoint.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if want := name != "file"; info.Compressed != want {
			t.Errorf("%s: compressed = %v, want %v", name, info.Compressed, want)
		}
		// Incompressible bytes are stored as they are even when compression is on.
		info, err = s.Put(ctx, "tiny", []byte{1, 2, 3}, checkpoint.Meta{})
		if err != nil || info.Compressed {
			t.Errorf("%s: tiny value Info = %+v, %v; want uncompressed", name, info, err)
		}
	}
}

func TestAbsent(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t, nil) {
		_, _, err := s.Get(ctx, "nope", nil)
		if !errors.Is(err, checkpoint.ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: Get of an absent key = %v, want ErrNotFound and fs.ErrNotExist", name, err)
		}
		if _, err := s.Stat(ctx, "nope"); !errors.Is(err, checkpoint.ErrNotFound) {
			t.Errorf("%s: Stat of an absent key = %v, want ErrNotFound", name, err)
		}
		if err := s.Verify(ctx, "nope"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: Verify of an absent key = %v, want fs.ErrNotExist", name, err)
		}
		if err := s.Delete(ctx, "nope"); err != nil {
			t.Errorf("%s: Delete of an absent key = %v, want nil", name, err)
		}
	}
}

func TestDeleteAndList(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t, nil) {
		for _, k := range []string{"a/1", "a/2", "b/1"} {
			if _, err := s.Put(ctx, k, k, checkpoint.Meta{Func: "f"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Delete(ctx, "a/1"); err != nil {
			t.Fatal(err)
		}
		var got []string
		err := s.List(ctx, "a/", func(i checkpoint.Info) error {
			if i.Err != nil || i.Func != "f" || i.Size == 0 || i.ModTime.IsZero() {
				t.Errorf("%s: List Info = %+v", name, i)
			}
			got = append(got, i.Key)
			return nil
		})
		if err != nil || len(got) != 1 || got[0] != "a/2" {
			t.Errorf("%s: List(a/) = %q, %v; want [a/2]", name, got, err)
		}
	}
}

func TestInvalidKeysRejected(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t, nil) {
		for _, k := range []string{"../x", "/abs", ".cairn/runs/x"} {
			if _, err := s.Put(ctx, k, 1.0, checkpoint.Meta{}); !errors.Is(err, checkpoint.ErrInvalidKey) {
				t.Errorf("%s: Put(%q) = %v, want ErrInvalidKey", name, k, err)
			}
			if _, _, err := s.Get(ctx, k, nil); !errors.Is(err, checkpoint.ErrInvalidKey) {
				t.Errorf("%s: Get(%q) = %v, want ErrInvalidKey", name, k, err)
			}
		}
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	s := checkpoint.New(memstore.New(nil), nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "k", 1.0, checkpoint.Meta{}); !errors.Is(err, checkpoint.ErrClosed) {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}
	if _, _, err := s.Get(ctx, "k", nil); !errors.Is(err, checkpoint.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
	if err := s.List(ctx, "", func(checkpoint.Info) error { return nil }); !errors.Is(err, checkpoint.ErrClosed) {
		t.Errorf("List after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); !errors.Is(err, checkpoint.ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, s := range stores(t, nil) {
		if _, err := s.Put(ctx, "k", 1.0, checkpoint.Meta{}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Put = %v, want context.Canceled", name, err)
		}
		if _, _, err := s.Get(ctx, "k", nil); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Get = %v, want context.Canceled", name, err)
		}
	}
}

func TestTypeMismatchIsNotCorruption(t *testing.T) {
	ctx := context.Background()
	s := checkpoint.New(memstore.New(nil), nil)
	defer s.Close()
	if _, err := s.Put(ctx, "k", []float64{1}, checkpoint.Meta{}); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Get(ctx, "k", reflect.TypeFor[string]())
	if err == nil || errors.Is(err, checkpoint.ErrCorrupt) || !errors.Is(err, codec.ErrTypeMismatch) {
		t.Fatalf("Get as the wrong type = %v, want codec.ErrTypeMismatch, not ErrCorrupt", err)
	}
}
