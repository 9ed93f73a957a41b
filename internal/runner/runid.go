package runner

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

var (
	processOnce sync.Once
	processTag  string
	processRuns atomic.Uint64
)

// newRunID names a run across processes and schedulers, for checkpoint
// metadata and garbage collection: the process's start time and a random
// tag, then a number unique within the process.
func newRunID() string {
	processOnce.Do(func() {
		var b [4]byte
		_, _ = rand.Read(b[:])
		processTag = time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
	})
	return fmt.Sprintf("%s-%d", processTag, processRuns.Add(1))
}
