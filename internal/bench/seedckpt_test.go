package bench_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/checkpoint"
	_ "github.com/cairnlabs/cairn/checkpoint/filestore"
	_ "github.com/cairnlabs/cairn/checkpoint/memstore"
	"github.com/cairnlabs/cairn/internal/seedload"
)

// BenchmarkSeedFirstRun times a first run of the seed workload (16384² in
// 1024² blocks) with no store, and with automatic checkpoints of the block
// sums into a new mem:// store, file:// store (fsync off, as the ≤ +10%
// target reads) and file:// store with every entry in a file of its own.
// Compare the variants with benchstat:
//
//	go test -run '^$' -bench SeedFirstRun -count 6 ./internal/bench | tee new.txt
func BenchmarkSeedFirstRun(b *testing.B) {
	ctx := context.Background()
	w := seedload.Workload{N: 16384, Block: 1024, Seed: 42}
	dir := b.TempDir()
	n := 0
	for _, v := range []struct{ name, url string }{
		{"none", ""},
		{"mem", "mem://"},
		{"file", "file://%s?fsync=false"},
		{"file-unpacked", "file://%s?fsync=false&pack=false"},
	} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				var store *checkpoint.Store
				if v.url != "" {
					n++ // a new store each run: a first run
					url := v.url
					if strings.Contains(url, "%s") {
						url = fmt.Sprintf(url, filepath.Join(dir, fmt.Sprint(n)))
					}
					var err error
					if store, err = checkpoint.Open(ctx, url); err != nil {
						b.Fatal(err)
					}
				}
				s := cairn.New(&cairn.Config{Checkpoints: store})
				var st cairn.RunStats
				if _, err := w.Run(ctx, s, cairn.RunOptions{Stats: &st}); err != nil {
					b.Fatal(err)
				}
				s.Close()
				if store != nil {
					store.Close()
				}
				if st.Restored != 0 {
					b.Fatalf("a first run restored %d thunks", st.Restored)
				}
			}
		})
	}
}
