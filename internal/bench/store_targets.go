package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/cairnlabs/cairn/checkpoint"
)

// randomBlock returns n standard normal values, as a simulation's blocks
// hold: they barely compress, as such data does not.
func randomBlock(n int) []float64 {
	r := rand.New(rand.NewPCG(42, 54))
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

// asBytes views a []float64 as its bytes, in the machine's byte order.
func asBytes(v []float64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*8)
}

// startNATS starts an embedded NATS server with JetStream on a random port
// of 127.0.0.1, with its store in dir and logging off.
func startNATS(dir string) (*server.Server, error) {
	ns, err := server.NewServer(&server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  dir,
		NoLog:     true,
		NoSigs:    true,
	})
	if err != nil {
		return nil, fmt.Errorf("bench: store: nats server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("bench: store: embedded nats server not ready for connections after 10s")
	}
	return ns, nil
}

// pathURL returns the URL of a store at path with the given scheme and
// query, the path escaped (a '%', '?' or '#' in it would otherwise name
// another location).
func pathURL(scheme, path, query string) string {
	return (&url.URL{Scheme: scheme, Path: filepath.ToSlash(path), RawQuery: query}).String()
}

// storeURL returns the checkpoint store URL of the target name, with its
// files under dir.
func storeURL(name, dir string, nats *server.Server) string {
	fileURL := pathURL
	switch name {
	case "file":
		return fileURL("file", dir, "")
	case "file-nofsync":
		return fileURL("file", dir, "fsync=false")
	case "mem":
		return "mem://"
	case "mem-nozstd":
		return "mem://?compression=none"
	case "sqlite":
		return fileURL("sqlite", filepath.Join(dir, "checkpoints.db"), "")
	case "blob+file":
		return fileURL("blob+file", dir, "")
	case "blob+mem":
		return "blob+mem://"
	case "nats":
		return nats.ClientURL() + "/bench" + strconv.FormatInt(rand.Int64(), 36)
	}
	panic("bench: no store URL for " + name) // StoreConfig.withDefaults checked the names
}

// openTarget opens the target name, keeping its files under dir.
func openTarget(ctx context.Context, name, dir string, payload []float64, nats *server.Server) (*target, error) {
	switch name {
	case "raw-fsync":
		return rawTarget(name, dir, asBytes(payload), true)
	case "raw":
		return rawTarget(name, dir, asBytes(payload), false)
	}
	s, err := checkpoint.Open(ctx, storeURL(name, dir, nats))
	if err != nil {
		return nil, fmt.Errorf("bench: store: %s: %w", name, err)
	}
	key := func(i int) string { return "block-" + strconv.Itoa(i) }
	typ := reflect.TypeFor[[]float64]()
	return &target{
		name: name,
		put: func(ctx context.Context, i int) error {
			_, err := s.Put(ctx, key(i), payload, checkpoint.Meta{Func: "bench.store"})
			return err
		},
		del: func(ctx context.Context, i int) error { return s.Delete(ctx, key(i)) },
		get: func(ctx context.Context, i int, full bool) error {
			v, _, err := s.Get(ctx, key(i), typ)
			if err != nil {
				return err
			}
			return checkBlock(v.([]float64), payload, full)
		},
		close: s.Close,
	}, nil
}

// checkBlock reports whether got holds want: every element if full is set,
// else the length and the ends.
func checkBlock(got, want []float64, full bool) error {
	n := len(want)
	ok := len(got) == n && (n == 0 || got[0] == want[0] && got[n-1] == want[n-1])
	if ok && full {
		ok = slices.Equal(got, want)
	}
	if !ok {
		return fmt.Errorf("read back %d float64s that differ from the %d written", len(got), n)
	}
	return nil
}

// rawTarget writes data to files in dir as the file store does, without any
// checkpoint code: a new temporary file, write, fsync (if sync), close,
// rename into place and, if sync, fsync the directory. It reads them with
// os.ReadFile.
func rawTarget(name, dir string, data []byte, sync bool) (*target, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("bench: store: %s: %w", name, err)
	}
	path := func(i int) string { return filepath.Join(dir, "block-"+strconv.Itoa(i)) }
	return &target{
		name: name,
		put:  func(_ context.Context, i int) error { return writeRaw(path(i), data, sync) },
		del:  func(_ context.Context, i int) error { return os.Remove(path(i)) },
		get: func(_ context.Context, i int, full bool) error {
			b, err := os.ReadFile(path(i))
			if err != nil {
				return err
			}
			if len(b) != len(data) || (full && string(b) != string(data)) {
				return fmt.Errorf("read back %d bytes that differ from the %d written", len(b), len(data))
			}
			return nil
		},
		close: func() error { return nil },
	}, nil
}

// writeRaw writes data to path atomically: temporary file, write, fsync if
// sync, close, rename, and fsync of the directory if sync.
func writeRaw(path string, data []byte, sync bool) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if !sync {
		return nil
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
