package cluster

import (
	"context"
	"testing"

	"github.com/cairnlabs/cairn/codec"
)

// BenchmarkFetch64MiB is the data plane's rate for a 64 MiB block over
// loopback, server and client in one process.
func BenchmarkFetch64MiB(b *testing.B) {
	st := newChunkStore(b.TempDir(), 1<<40)
	v := make([]float64, 8<<20)
	id, data, err := codec.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := st.put(v, id, data)
	srv, err := serveData("127.0.0.1", st, func() string { return "s" })
	if err != nil {
		b.Fatal(err)
	}
	defer srv.close()
	f := newFetcher()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := f.fetch(context.Background(), srv.addr(), n, int64(len(data)), "s"); err != nil {
			b.Fatal(err)
		}
	}
}
