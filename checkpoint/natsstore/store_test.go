package natsstore_test

import (
	"testing"

	"github.com/cairnlabs/cairn/checkpoint/drivertest"
	"github.com/cairnlabs/cairn/internal/natstest"
)

func TestStore(t *testing.T) { drivertest.RunStore(t, natstest.Start(t).URL()+"/store") }
