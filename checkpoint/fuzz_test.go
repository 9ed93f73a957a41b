package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zeebo/xxh3"
)

// fuzzSeeds returns valid frames of several kinds.
func fuzzSeeds(t testing.TB) [][]byte {
	meta := Meta{Key: "sum/1", Thunk: "t", Func: "f", Version: "1", Run: "r", Created: time.Unix(1700000000, 0)}
	var out [][]byte
	for _, c := range []struct {
		v        any
		compress bool
	}{
		{[]float64{1, 2, 3}, false},
		{make([]float64, 100), true},
		{2.5, false},
		{"text", false},
		{[]string{"a", "b"}, true},
		{nil, false},
		{map[string]int{"a": 1}, false},
	} {
		f, err := encodeFrame(c.v, &meta, c.compress)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append(bytes.Clone(f.head), f.payload...))
	}
	return out
}

// FuzzDecodeFrame feeds arbitrary bytes to the frame decoder: it must never
// panic, never return a value with an error, and report every failure of the
// frame itself as a *CorruptError.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, m, payload, err := decodeFrame(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decodeFrame error %v is not ErrCorrupt", err)
			}
			if payload != nil {
				t.Fatal("decodeFrame returned a payload with an error")
			}
		} else if int64(h.payloadOffset())+int64(len(payload)) != int64(len(b)) || len(m.Key) > len(b) {
			t.Fatalf("decodeFrame accepted inconsistent lengths: %+v", h)
		}
		v, _, err := decodeValue(b, nil, "k")
		if err != nil && v != nil {
			t.Fatalf("decodeValue returned %v with error %v", v, err)
		}
		decodeHead(b[:min(len(b), headLen(b))])

		// Fix the checksums up, so that the fuzzer also reaches the meta,
		// length, zstd and codec decoders behind them.
		c := bytes.Clone(b)
		if fixSums(c) {
			v, _, err := decodeValue(c, nil, "k")
			if err != nil && v != nil {
				t.Fatalf("decodeValue returned %v with error %v", v, err)
			}
		}
	})
}

// fixSums rewrites the checksums of a frame-like b to match its contents,
// and reports whether it could.
func fixSums(b []byte) bool {
	if len(b) < headerSize {
		return false
	}
	metaLen := int(binary.LittleEndian.Uint32(b[8:]))
	if metaLen > len(b)-headerSize {
		return false
	}
	if off := align8(headerSize + metaLen); off <= len(b) {
		binary.LittleEndian.PutUint64(b[payloadChecksum:], xxh3.Hash(b[off:]))
	}
	binary.LittleEndian.PutUint64(b[headerChecksum:], headSum(b[:headerChecksum], b[headerSize:headerSize+metaLen]))
	return true
}

// TestWriteFuzzCorpus rewrites the committed seed corpus when
// CAIRN_WRITE_CORPUS is set.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("CAIRN_WRITE_CORPUS") == "" {
		t.Skip("set CAIRN_WRITE_CORPUS=1 to rewrite testdata/fuzz/FuzzDecodeFrame")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeFrame")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seeds := fuzzSeeds(t)
	damaged := bytes.Clone(seeds[0])
	damaged[len(damaged)-1] ^= 1
	seeds = append(seeds, seeds[0][:40], damaged, []byte("CRN\x1a"), nil)
	for i, s := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
