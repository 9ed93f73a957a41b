package runner

import (
	"log/slog"
	"sync"

	"github.com/cairnlabs/cairn/internal/srcver"
)

// srcState is a function's source digest, found once.
type srcState struct {
	once   sync.Once
	digest string
	err    error
}

// warned holds the names of functions warned about, once per process.
var warned sync.Map

// sourceDigest returns the digest of f's source code (see package srcver):
// the version of a function that has none. It is found once per Func.
func (f *Func) sourceDigest() (string, error) {
	f.src.once.Do(func() { f.src.digest, f.src.err = srcver.Digest(f.fn.Pointer()) })
	return f.src.digest, f.src.err
}

// warnNoSource says, once per function, that f is keyed by its name alone
// because its source could not be read: editing it will not recompute its
// thunks. The error says how to pin a version.
func (f *Func) warnNoSource(log *slog.Logger) {
	if _, err := f.sourceDigest(); err != nil {
		if _, told := warned.LoadOrStore(f.name, true); !told {
			log.Warn("cairn: keying a function by its name alone: its source is not available, so editing it will not recompute its checkpointed thunks",
				"func", f.name, "err", err)
		}
	}
}
