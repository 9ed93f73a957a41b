package cluster_test

import (
	"os"
	"testing"

	"github.com/cairnlabs/cairn/cluster"
)

// TestMain makes the test binary a worker when a test starts it as one.
// Before that, it registers the functions whose registration differs
// between driver and workers (as builds that differ would).
func TestMain(m *testing.M) {
	registerSkewed()
	cluster.Main()
	os.Exit(m.Run())
}
