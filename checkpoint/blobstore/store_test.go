package blobstore_test

import (
	"testing"

	"github.com/cairnlabs/cairn/checkpoint/drivertest"
)

func TestStoreFile(t *testing.T) { drivertest.RunStore(t, fileURL(t)) }

func TestStoreMem(t *testing.T) { drivertest.RunStore(t, "blob+mem://") }

func TestStoreS3(t *testing.T) {
	s3Env(t)
	drivertest.RunStore(t, startS3(t).s3URL(t))
}
