package checkpoint

import (
	"context"
	"fmt"
	"strings"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// Damage describes a damaged record in a store's storage, as its driver
// reports it (see Store.Damage).
type Damage struct {
	// Key is the key the record was written under, or "" when the damage
	// hit what names it, so that it cannot be read.
	Key string
	// Where names the damaged bytes for people: a file and an offset.
	Where string
	// Current reports whether the record held Key's newest version: Get,
	// Verify and List then report Key as corrupt.
	Current bool
	// Detail says what was damaged and what was lost with it, for people.
	Detail string
}

// Damage calls fn for each damaged record that the store's driver finds in
// its storage (drivers that do not implement driver.DamageReporter report
// none), whose key has the prefix or cannot be read, until fn returns an
// error, which Damage returns. It reports what checking each key cannot:
// records whose key cannot be read, which are lost to every Get, and
// damaged versions that a newer one replaced. A damaged newest version
// comes with Current set; Get, Verify and List report that key as corrupt
// too. Damage does not read the entries' payloads: Verify does.
func (s *Store) Damage(ctx context.Context, prefix string, fn func(Damage) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	dr, ok := s.d.(driver.DamageReporter)
	if !ok {
		return ctx.Err()
	}
	var fnErr error
	err := dr.Damage(ctx, func(d driver.Damage) error {
		if d.Key != "" && !strings.HasPrefix(d.Key, prefix) {
			return nil
		}
		fnErr = fn(Damage(d))
		return fnErr
	})
	switch {
	case fnErr != nil:
		return fnErr
	case err != nil:
		return fmt.Errorf("checkpoint: damage: %w", err)
	}
	return nil
}
