package ckptcli

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/cairnlabs/cairn/checkpoint"
)

// verifyDamage writes a line for each damaged record the store reports
// under prefix, but for those of the corrupt keys in bad, written already,
// and returns how many it wrote.
func verifyDamage(ctx context.Context, w io.Writer, s *checkpoint.Store, prefix string, bad []string) (int, error) {
	n := 0
	err := s.Damage(ctx, prefix, func(d checkpoint.Damage) error {
		if d.Current && slices.Contains(bad, d.Key) {
			return nil
		}
		n++
		_, err := fmt.Fprintf(w, "DAMAGED %s: %s\n", d.Where, d.Detail)
		return err
	})
	return n, err
}

// records says "1 damaged record" or "n damaged records".
func records(n int) string {
	if n == 1 {
		return "1 damaged record"
	}
	return fmt.Sprintf("%d damaged records", n)
}
