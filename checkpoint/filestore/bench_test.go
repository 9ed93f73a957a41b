package filestore_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/filestore"
)

// Benchmarks of the file store next to raw os.WriteFile/os.ReadFile of the
// same bytes. Run with:
//
//	go test -run XXX -bench . ./checkpoint/filestore
//
// Writes go to a new name each iteration (the previous one is removed), as
// checkpoints of new keys do: on ext4, replacing a file that has unwritten
// data (by O_TRUNC or by rename) makes the kernel start writing it back at
// once (auto_da_alloc), which measures the disk rather than the code. The
// Overwrite variants measure that case. CAIRN_BENCH_DIR puts the files in
// another directory than the default temporary one (/dev/shm: tmpfs, which
// shows the code's own cost where file creation on disk dominates).

const blockLen = 1 << 20 // float64s: 8 MiB

func block() []float64 {
	v := make([]float64, blockLen)
	for i := range v {
		v[i] = float64(i) * 1.0000001
	}
	return v
}

func blockBytes(v []float64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*8)
}

// benchDir returns an empty directory for one benchmark.
func benchDir(b *testing.B) string {
	root := os.Getenv("CAIRN_BENCH_DIR")
	if root == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(root, "cairn-bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func benchStore(b *testing.B, noSync bool) *checkpoint.Store {
	d, err := filestore.Open(benchDir(b), &filestore.Options{NoSync: noSync})
	if err != nil {
		b.Fatal(err)
	}
	s := checkpoint.New(d, nil)
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkPut8MiB(b *testing.B)       { benchPut(b, false) }
func BenchmarkPut8MiBNoSync(b *testing.B) { benchPut(b, true) }

func BenchmarkPut8MiBOverwriteNoSync(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b, true)
	v := block()
	b.SetBytes(int64(len(v)) * 8)
	for b.Loop() {
		if _, err := s.Put(ctx, "block", v, checkpoint.Meta{Func: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchPut(b *testing.B, noSync bool) {
	ctx := context.Background()
	s := benchStore(b, noSync)
	v := block()
	b.SetBytes(int64(len(v)) * 8)
	i := 0
	for b.Loop() {
		key := "block-" + strconv.Itoa(i)
		if _, err := s.Put(ctx, key, v, checkpoint.Meta{Func: "bench"}); err != nil {
			b.Fatal(err)
		}
		if i > 0 {
			s.Delete(ctx, "block-"+strconv.Itoa(i-1))
		}
		i++
	}
}

func BenchmarkRawWriteFile8MiB(b *testing.B)     { benchRawWrite(b, false) }
func BenchmarkRawWriteFile8MiBSync(b *testing.B) { benchRawWrite(b, true) }

// benchRawWrite writes the same bytes with os.WriteFile, or with
// create+write+fsync+close when sync is set (no rename, no directory sync).
func benchRawWrite(b *testing.B, sync bool) {
	dir := benchDir(b)
	data := blockBytes(block())
	b.SetBytes(int64(len(data)))
	i := 0
	for b.Loop() {
		p := filepath.Join(dir, "raw-"+strconv.Itoa(i))
		if i > 0 {
			os.Remove(filepath.Join(dir, "raw-"+strconv.Itoa(i-1)))
		}
		i++
		if !sync {
			if err := os.WriteFile(p, data, 0o600); err != nil {
				b.Fatal(err)
			}
			continue
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet8MiB(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b, true)
	v := block()
	if _, err := s.Put(ctx, "block", v, checkpoint.Meta{}); err != nil {
		b.Fatal(err)
	}
	typ := reflect.TypeFor[[]float64]()
	b.SetBytes(int64(len(v)) * 8)
	for b.Loop() {
		got, _, err := s.Get(ctx, "block", typ)
		if err != nil || len(got.([]float64)) != blockLen {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawReadFile8MiB(b *testing.B) {
	p := filepath.Join(benchDir(b), "raw")
	data := blockBytes(block())
	if err := os.WriteFile(p, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		got, err := os.ReadFile(p)
		if err != nil || len(got) != len(data) {
			b.Fatal(err)
		}
	}
}

func BenchmarkPutScalarNoSync(b *testing.B) { benchPutScalar(b, true, false) }
func BenchmarkPutScalarSync(b *testing.B)   { benchPutScalar(b, false, false) }

func BenchmarkPutScalarOverwriteNoSync(b *testing.B) { benchPutScalar(b, true, true) }

// benchPutScalar checkpoints a float64 under a new key each iteration (as
// the thunks of a graph do), or always the same key with overwrite.
func benchPutScalar(b *testing.B, noSync, overwrite bool) {
	ctx := context.Background()
	s := benchStore(b, noSync)
	i := 0
	for b.Loop() {
		key := "sum/block-3"
		if !overwrite {
			key = "sum/block-" + strconv.Itoa(i)
			i++
		}
		if _, err := s.Put(ctx, key, 42.5, checkpoint.Meta{Func: "main.sum"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetScalar(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b, true)
	if _, err := s.Put(ctx, "sum/block-3", 42.5, checkpoint.Meta{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := s.Get(ctx, "sum/block-3", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawScalarFile is the floor under BenchmarkPutScalarNoSync: create
// a new file, write 80 bytes, close it and rename it, with no checkpoint
// code at all.
func BenchmarkRawScalarFile(b *testing.B) {
	dir := benchDir(b)
	data := make([]byte, 80)
	i := 0
	for b.Loop() {
		p := filepath.Join(dir, "f"+strconv.Itoa(i))
		i++
		f, err := os.OpenFile(p+".tmp", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(p+".tmp", p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFirstRead is a process's first Get from a store shaped like the
// seed's after a few runs: 256 small checkpoints, each read once since, and
// the run records of 20 runs. The first read of a Driver builds its index
// from every record of every pack; that is what this times.
func BenchmarkFirstRead(b *testing.B) {
	ctx := context.Background()
	dir := benchDir(b)
	d, err := filestore.Open(dir, &filestore.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	s := checkpoint.New(d, nil)
	for i := range 256 {
		key := "darray.seed.sum/" + strconv.FormatUint(uint64(i)*0x9e3779b97f4a7c15, 16) + "0123456789abcdef0123456789abcdef0123456789abcdef"
		if _, err := s.Put(ctx, key, float64(i), checkpoint.Meta{Thunk: "darray.seed.sum", Func: "darray.seed.sum", Run: "0123456789abcdef"}); err != nil {
			b.Fatal(err)
		}
		if err := d.Touch(ctx, key, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	reads := make([]byte, 256*17)
	for run := range 20 {
		for _, name := range []string{"run", "done", "reads-" + strconv.Itoa(run)} {
			data := reads
			if name != "reads-"+strconv.Itoa(run) {
				data = []byte(`{"run":"0123456789abcdef","started":"2026-12-06T05:00:00Z"}`)
			}
			if err := d.Put(ctx, ".cairn/runs/"+strconv.Itoa(1000+run)+"/"+name, bytes.NewReader(data), int64(len(data))); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		d, err := filestore.Open(dir, &filestore.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Stat(ctx, ".cairn/runs/1000/run"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		d.Close()
		b.StartTimer()
	}
}
