package progress_test

import (
	"os"
	"testing"

	"github.com/cairnlabs/cairn/cluster"
)

// TestMain makes the test binary a cluster worker when ExampleNew_workers
// starts it as one.
func TestMain(m *testing.M) {
	cluster.Main()
	os.Exit(m.Run())
}
