package sqlstore_test

import (
	"testing"

	"github.com/cairnlabs/cairn/checkpoint/drivertest"
)

func TestStore(t *testing.T) { drivertest.RunStore(t, "sqlite://"+t.TempDir()+"/ckpt.db") }
