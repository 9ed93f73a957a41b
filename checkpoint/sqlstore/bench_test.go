package sqlstore_test

import (
	"path/filepath"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint/drivertest"
)

func BenchmarkPut8MiB(b *testing.B) {
	drivertest.BenchmarkPut(b, open(b, filepath.Join(b.TempDir(), "bench.db")))
}

func BenchmarkGet8MiB(b *testing.B) {
	drivertest.BenchmarkGet(b, open(b, filepath.Join(b.TempDir(), "bench.db")))
}
