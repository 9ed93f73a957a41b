package cluster_test

import (
	"os"
	"testing"

	"github.com/cairnlabs/cairn/cluster"
)

// TestMain makes the test binary a worker when a test starts it as one.
func TestMain(m *testing.M) {
	cluster.Main()
	os.Exit(m.Run())
}
