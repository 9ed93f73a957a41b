package checkpoint

import "context"

type standaloneKey struct{}

// WithStandalone returns a context whose Puts ask the driver to keep the
// entry on its own rather than among small entries (in a file store: a
// file of its own instead of a record in a pack), so that reading it back
// needs no index of the store: a new process can restore it before it has
// read the store's packs. The scheduler asks it for the result of a run's
// single target, the checkpoint that a rerun restores first (and often
// the only one). Drivers that keep every entry alike ignore it.
func WithStandalone(ctx context.Context) context.Context {
	return context.WithValue(ctx, standaloneKey{}, true)
}

// Standalone reports whether ctx asks Puts for entries of their own (see
// WithStandalone). Drivers call it.
func Standalone(ctx context.Context) bool {
	b, _ := ctx.Value(standaloneKey{}).(bool)
	return b
}
