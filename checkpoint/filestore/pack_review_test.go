package filestore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestReviewPutNegativeSize: a negative size is bad input, not a panic.
func TestReviewPutNegativeSize(t *testing.T) {
	d := openT(t, t.TempDir(), nil)
	err := d.Put(context.Background(), "k", bytes.NewReader([]byte("x")), -1)
	if err == nil {
		t.Fatal("Put with size -1 succeeded")
	}
	absentT(t, d, "k")
}

var (
	_ = bytes.NewReader
	_ = errors.Is
	_ = io.EOF
	_ = fs.ErrNotExist
	_ = os.Stat
	_ = filepath.Join
	_ = strings.NewReader
	_ sync.Once
	_ = time.Now
	_ = context.Background
)
