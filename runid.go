package cairn

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

var (
	processOnce sync.Once
	processTag  string
)

// runID names a run across processes, for checkpoint metadata and garbage
// collection: the process's start time and a random tag, then the run.
func (s *Scheduler) runID(run uint64) string {
	processOnce.Do(func() {
		var b [4]byte
		_, _ = rand.Read(b[:])
		processTag = time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
	})
	return fmt.Sprintf("%s-%d", processTag, run)
}
