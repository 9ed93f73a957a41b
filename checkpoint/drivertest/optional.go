package drivertest

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

func testToucher(t *testing.T, d driver.Driver) {
	tc, ok := d.(driver.Toucher)
	if !ok {
		t.Skip("driver does not implement driver.Toucher")
	}
	ctx := context.Background()
	put(t, d, "t", []byte("v"))
	past := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	if err := tc.Touch(ctx, "t", past); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	a, err := d.Stat(ctx, "t")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if !a.ModTime.Equal(past) {
		t.Fatalf("ModTime after Touch = %v, want %v", a.ModTime, past)
	}
	wantValue(t, d, "t", []byte("v"))
	if err := tc.Touch(ctx, "absent", past); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Touch of an absent key = %v, want nil or fs.ErrNotExist", err)
	}
	wantAbsent(t, d, "absent")
}

func testRangeGetter(t *testing.T, d driver.Driver) {
	rg, ok := d.(driver.RangeGetter)
	if !ok {
		t.Skip("driver does not implement driver.RangeGetter")
	}
	ctx := context.Background()
	v := randomBytes(10000, 4)
	put(t, d, "r", v)
	cases := []struct{ off, n, lo, hi int64 }{
		{0, 48, 0, 48},
		{100, 1000, 100, 1100},
		{9990, 100, 9990, 10000},
		{10000, 10, 10000, 10000},
		{20000, 10, 10000, 10000},
		{0, 1 << 40, 0, 10000},
	}
	for _, c := range cases {
		got, err := rg.GetRange(ctx, "r", c.off, c.n)
		if err != nil {
			t.Fatalf("GetRange(%d, %d): %v", c.off, c.n, err)
		}
		if !bytes.Equal(got, v[c.lo:c.hi]) {
			t.Fatalf("GetRange(%d, %d) = %d bytes, want bytes %d..%d", c.off, c.n, len(got), c.lo, c.hi)
		}
	}
	if _, err := rg.GetRange(ctx, "absent", 0, 10); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("GetRange of an absent key = %v, want fs.ErrNotExist", err)
	}
}

func testSweeper(t *testing.T, d driver.Driver) {
	sw, ok := d.(driver.Sweeper)
	if !ok {
		t.Skip("driver does not implement driver.Sweeper")
	}
	put(t, d, "keep/me", []byte("v"))
	if _, _, err := sw.Sweep(context.Background(), time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	wantValue(t, d, "keep/me", []byte("v"))
}
