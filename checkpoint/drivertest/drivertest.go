package drivertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// RunConformance runs the conformance suite against the driver that open
// returns. open is called once per subtest and must return a fresh driver
// over empty storage; RunConformance closes every driver it opens (open may
// register more cleanup with t.Cleanup, and a driver may be closed twice).
func RunConformance(t *testing.T, open func(t *testing.T) driver.Driver) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, d driver.Driver)
	}{
		{"PutGet", testPutGet},
		{"Absent", testAbsent},
		{"Stat", testStat},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"EmptyValue", testEmptyValue},
		{"LargeValue", testLargeValue},
		{"Keys", testKeys},
		{"List", testList},
		{"ListStop", testListStop},
		{"FailedPut", testFailedPut},
		{"ConcurrentPut", testConcurrentPut},
		{"Context", testContext},
		{"Toucher", testToucher},
		{"RangeGetter", testRangeGetter},
		{"Sweeper", testSweeper},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := open(t)
			if d == nil {
				t.Fatal("drivertest: open returned a nil driver")
			}
			defer func() {
				if err := d.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			tt.fn(t, d)
		})
	}
	t.Run("Close", func(t *testing.T) { testClose(t, open(t)) })
}

// put stores b under key and fails the test on error.
func put(t *testing.T, d driver.Driver, key string, b []byte) {
	t.Helper()
	if err := d.Put(context.Background(), key, bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatalf("Put(%q, %d bytes): %v", key, len(b), err)
	}
}

// mustGet returns what is stored under key and fails the test on error.
func mustGet(t *testing.T, d driver.Driver, key string) []byte {
	t.Helper()
	b, err := d.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return b
}

// wantValue fails the test unless key holds exactly want.
func wantValue(t *testing.T, d driver.Driver, key string, want []byte) {
	t.Helper()
	got := mustGet(t, d, key)
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %d bytes %.20q..., want %d bytes %.20q...", key, len(got), got, len(want), want)
	}
}

// wantAbsent fails the test unless Get and Stat report key as absent.
func wantAbsent(t *testing.T, d driver.Driver, key string) {
	t.Helper()
	ctx := context.Background()
	if b, err := d.Get(ctx, key); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get(%q) = %d bytes, %v; want an error that errors.Is fs.ErrNotExist", key, len(b), err)
	}
	if _, err := d.Stat(ctx, key); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat(%q) error = %v; want one that errors.Is fs.ErrNotExist", key, err)
	}
}

// listKeys returns the sorted keys that List reports under prefix.
func listKeys(t *testing.T, d driver.Driver, prefix string) []string {
	t.Helper()
	var keys []string
	var mu sync.Mutex // a driver may call fn from several goroutines
	err := d.List(context.Background(), prefix, func(a driver.Attrs) error {
		mu.Lock()
		defer mu.Unlock()
		keys = append(keys, a.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	slices.Sort(keys)
	return keys
}

// randomBytes returns n pseudo-random bytes from a fixed seed.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func testPutGet(t *testing.T, d driver.Driver) {
	want := []byte("hello, checkpoint")
	put(t, d, "a", want)
	wantValue(t, d, "a", want)
	// The caller owns what Get returns: scribbling on it changes nothing.
	got := mustGet(t, d, "a")
	for i := range got {
		got[i] = 'x'
	}
	wantValue(t, d, "a", want)
}

func testAbsent(t *testing.T, d driver.Driver) {
	wantAbsent(t, d, "missing")
	wantAbsent(t, d, "no/such/key")
	put(t, d, "dir/present", []byte("x"))
	wantAbsent(t, d, "dir")
	wantAbsent(t, d, "dir/pres")
	if err := d.Delete(context.Background(), "missing"); err != nil {
		t.Fatalf("Delete of an absent key = %v, want nil", err)
	}
}

func testStat(t *testing.T, d driver.Driver) {
	put(t, d, "s/k", []byte("12345"))
	a, err := d.Stat(context.Background(), "s/k")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if a.Key != "s/k" || a.Size != 5 || a.ModTime.IsZero() {
		t.Fatalf("Stat = %+v, want Key s/k, Size 5 and a ModTime", a)
	}
}

func testOverwrite(t *testing.T, d driver.Driver) {
	put(t, d, "k", []byte("a longer first value"))
	put(t, d, "k", []byte("short"))
	wantValue(t, d, "k", []byte("short"))
	if a, err := d.Stat(context.Background(), "k"); err != nil || a.Size != 5 {
		t.Fatalf("Stat after overwrite = %+v, %v; want Size 5", a, err)
	}
	put(t, d, "k", nil)
	wantValue(t, d, "k", nil)
	if got := listKeys(t, d, ""); !slices.Equal(got, []string{"k"}) {
		t.Fatalf("List after overwrites = %q, want [k]", got)
	}
}

func testDelete(t *testing.T, d driver.Driver) {
	ctx := context.Background()
	put(t, d, "d/1", []byte("one"))
	put(t, d, "d/2", []byte("two"))
	if err := d.Delete(ctx, "d/1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantAbsent(t, d, "d/1")
	wantValue(t, d, "d/2", []byte("two"))
	if err := d.Delete(ctx, "d/1"); err != nil {
		t.Fatalf("second Delete = %v, want nil", err)
	}
	put(t, d, "d/1", []byte("again"))
	wantValue(t, d, "d/1", []byte("again"))
}

func testEmptyValue(t *testing.T, d driver.Driver) {
	put(t, d, "empty", []byte{})
	got := mustGet(t, d, "empty")
	if len(got) != 0 {
		t.Fatalf("Get of an empty value = %d bytes, want 0", len(got))
	}
	a, err := d.Stat(context.Background(), "empty")
	if err != nil || a.Size != 0 {
		t.Fatalf("Stat of an empty value = %+v, %v; want Size 0", a, err)
	}
	if got := listKeys(t, d, ""); !slices.Equal(got, []string{"empty"}) {
		t.Fatalf("List = %q, want [empty]", got)
	}
}

func testLargeValue(t *testing.T, d driver.Driver) {
	want := randomBytes(3<<20+12345, 1)
	put(t, d, "large", want)
	wantValue(t, d, "large", want)
	if a, err := d.Stat(context.Background(), "large"); err != nil || a.Size != int64(len(want)) {
		t.Fatalf("Stat = %+v, %v; want Size %d", a, err, len(want))
	}
}

func testKeys(t *testing.T, d driver.Driver) {
	long := strings.Repeat("x", 200) + "/" + strings.Repeat("y", 200) + "/" + strings.Repeat("z", 110)
	keys := []string{
		"plain", "with.dots", "-dash_under", "UPPER.lower-09",
		"a", "a/b", "a/b/c", // an entry may also be a prefix of other entries
		"v1.2/x.y/z", "...x", "x..", "_", long,
	}
	for i, k := range keys {
		put(t, d, k, []byte(fmt.Sprintf("value %d", i)))
	}
	for i, k := range keys {
		wantValue(t, d, k, []byte(fmt.Sprintf("value %d", i)))
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if got := listKeys(t, d, ""); !slices.Equal(got, want) {
		t.Fatalf("List = %q,\nwant %q", got, want)
	}
}

func testList(t *testing.T, d driver.Driver) {
	for _, k := range []string{"a/1", "a/2", "ab/3", "b/4", "a/sub/5", "a"} {
		put(t, d, k, []byte(k))
	}
	cases := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"a", "a/1", "a/2", "a/sub/5", "ab/3", "b/4"}},
		{"a/", []string{"a/1", "a/2", "a/sub/5"}},
		{"a", []string{"a", "a/1", "a/2", "a/sub/5", "ab/3"}},
		{"a/s", []string{"a/sub/5"}},
		{"a/1", []string{"a/1"}},
		{"b/4", []string{"b/4"}},
		{"c", nil},
		{"a/1/", nil},
	}
	for _, c := range cases {
		if got := listKeys(t, d, c.prefix); !slices.Equal(got, c.want) {
			t.Errorf("List(%q) = %q, want %q", c.prefix, got, c.want)
		}
	}
	// List reports each entry's size.
	err := d.List(context.Background(), "a/sub", func(a driver.Attrs) error {
		if a.Size != int64(len("a/sub/5")) || a.ModTime.IsZero() {
			t.Errorf("List attrs = %+v, want Size %d and a ModTime", a, len("a/sub/5"))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
}

func testListStop(t *testing.T, d driver.Driver) {
	for i := range 5 {
		put(t, d, fmt.Sprintf("k%d", i), []byte("v"))
	}
	stop := errors.New("stop here")
	var mu sync.Mutex
	calls := 0
	err := d.List(context.Background(), "", func(driver.Attrs) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("List with a failing fn = %v, want the fn's error", err)
	}
	if calls == 0 {
		t.Fatal("List never called fn")
	}
}
