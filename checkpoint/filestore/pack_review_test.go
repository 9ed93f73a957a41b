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

// TestReviewGetRangeNegativeLength: a packed entry and an entry in a file of
// its own answer GetRange alike; a negative length reads nothing.
func TestReviewGetRangeNegativeLength(t *testing.T) {
	ctx := context.Background()
	for _, packMax := range []int64{0, -1} {
		d := openT(t, t.TempDir(), &Options{PackMax: packMax})
		putT(t, d, "k", []byte("hello"))
		got, err := d.GetRange(ctx, "k", 1, -1)
		if err != nil || len(got) != 0 {
			t.Errorf("PackMax %d: GetRange(1, -1) = %q, %v; want no bytes", packMax, got, err)
		}
	}
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
