package checkpoint_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
)

// TestOpenNamesTheDriverToImport checks that opening a built-in scheme whose
// driver package is not linked in says which import line adds it. This test
// binary links only the file and mem drivers.
func TestOpenNamesTheDriverToImport(t *testing.T) {
	ctx := context.Background()
	for url, pkg := range map[string]string{
		"sqlite:///tmp/x.db":        "checkpoint/sqlstore",
		"s3://bucket?region=eu":     "checkpoint/blobstore",
		"gs://bucket":               "checkpoint/blobstore",
		"azblob://container":        "checkpoint/blobstore",
		"blob+file:///tmp/x":        "checkpoint/blobstore",
		"blob+mem://":               "checkpoint/blobstore",
		"nats://127.0.0.1:4222/ckp": "checkpoint/natsstore",
	} {
		scheme, _, _ := strings.Cut(url, ":")
		s, err := checkpoint.Open(ctx, url)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded without its driver", url)
			continue
		}
		want := fmt.Sprintf(`checkpoint: no driver for "%s://" stores: add import _ "github.com/cairnlabs/cairn/%s" (or "github.com/cairnlabs/cairn/checkpoint/all" for every driver)`, scheme, pkg)
		if err.Error() != want {
			t.Errorf("Open(%q) =\n\t%v\nwant\n\t%s", url, err, want)
		}
	}
}
