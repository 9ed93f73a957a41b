package checkpoint

import (
	"hash/crc32"
	"testing"

	"github.com/zeebo/xxh3"
)

// The frame's checksum is XXH3-64; these benchmarks compare it with CRC-32C
// (hardware-accelerated) over an 8 MiB payload:
//
//	go test -run XXX -bench Checksum ./checkpoint
func BenchmarkChecksumXXH3(b *testing.B) {
	data := make([]byte, 8<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		xxh3.Hash(data)
	}
}

func BenchmarkChecksumCRC32C(b *testing.B) {
	data := make([]byte, 8<<20)
	tab := crc32.MakeTable(crc32.Castagnoli)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		crc32.Checksum(data, tab)
	}
}
