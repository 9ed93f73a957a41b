package checkpoint

import (
	"fmt"
	"strings"

	"github.com/cairnlabs/cairn/checkpoint/internal/builtin"
)

// noDriverError is Open's error for a scheme that no linked-in package
// registered: for a scheme of cairn's own drivers, the import line that
// registers it; for another, the usual cause and the schemes that are
// registered.
func noDriverError(scheme string) error {
	if pkg, ok := builtin.Package(scheme); ok {
		return fmt.Errorf(`checkpoint: no driver for "%s://" stores: add import _ %q (or %q for every driver)`, scheme, pkg, builtin.All)
	}
	registered := "none is registered"
	if s := Schemes(); len(s) > 0 {
		registered = "registered: " + strings.Join(s, ", ")
	}
	return fmt.Errorf("checkpoint: unknown store scheme %q (forgotten import of its driver package?); %s", scheme, registered)
}
