package checkpoint

import "testing"

// TestNoDriverErrorForLocalSchemes checks the error a newcomer meets first,
// Open("file:///...") without the driver's import. (The test binary links
// the file and mem drivers, so Open itself cannot show it here.)
func TestNoDriverErrorForLocalSchemes(t *testing.T) {
	for scheme, want := range map[string]string{
		"file": `checkpoint: no driver for "file://" stores: add import _ "github.com/cairnlabs/cairn/checkpoint/filestore" (or "github.com/cairnlabs/cairn/checkpoint/all" for every driver)`,
		"mem":  `checkpoint: no driver for "mem://" stores: add import _ "github.com/cairnlabs/cairn/checkpoint/memstore" (or "github.com/cairnlabs/cairn/checkpoint/all" for every driver)`,
	} {
		if got := noDriverError(scheme).Error(); got != want {
			t.Errorf("noDriverError(%q) =\n\t%s\nwant\n\t%s", scheme, got, want)
		}
	}
}
