package cairn

import (
	"context"
	"fmt"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/exec"
)

// SaveFile writes a chunk's value to the file at path as a checksummed
// checkpoint frame, atomically and durably (temporary file, fsync, rename,
// directory fsync): a crash leaves the old file or the whole new one, never
// a torn one. It is the short form of a Checkpoint hook that names its own
// files, as in Dagger's example:
//
//	Checkpoint: func(ctx context.Context, t *cairn.Thunk, r cairn.Chunk) error {
//		return cairn.SaveFile(ctx, path, r)
//	},
func SaveFile(ctx context.Context, path string, c Chunk) error {
	if c == nil {
		return fmt.Errorf("cairn: SaveFile %s: nil chunk", path)
	}
	v, err := c.Value(ctx)
	if err != nil {
		return fmt.Errorf("cairn: SaveFile %s: %w", path, err)
	}
	return checkpoint.WriteFile(ctx, path, v, checkpoint.Meta{})
}

// LoadFile reads back a chunk that SaveFile wrote. A missing file is
// "nothing to restore": the error matches fs.ErrNotExist, so returning it
// from a Restore hook makes the thunk run quietly. A torn, truncated or
// corrupted file gives an error matching checkpoint.ErrCorrupt, which the
// scheduler reports before recomputing: its content is never returned.
//
//	Restore: func(ctx context.Context, t *cairn.Thunk) (cairn.Chunk, error) {
//		return cairn.LoadFile(ctx, path)
//	},
//
// Values come back as the type the codec gives them (see package codec):
// numbers, strings, numeric slices and gonum matrices as themselves.
func LoadFile(ctx context.Context, path string) (Chunk, error) {
	v, _, err := checkpoint.ReadFile(ctx, path, nil)
	if err != nil {
		return nil, err
	}
	return exec.NewValue(v, ""), nil
}

// Args converts a slice of thunks (or of any type) to the []any that a
// Delayed function's variadic arguments need:
//
//	z := cairn.Delayed(inner)(cairn.Args(ys)...)
func Args[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
