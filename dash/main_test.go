package dash_test

import (
	"os"
	"testing"

	"github.com/cairnlabs/cairn/cluster"
)

// TestMain makes the test binary a cluster worker when TestBrowserCluster
// starts it as one.
func TestMain(m *testing.M) {
	cluster.Main()
	os.Exit(m.Run())
}
