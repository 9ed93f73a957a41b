package drivertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// testConcurrentPut has many goroutines Put different values under one key
// while others read it: every read must be one whole value.
func testConcurrentPut(t *testing.T, d driver.Driver) {
	const (
		writers = 8
		puts    = 10
		key     = "contended/key"
	)
	// Value i is 64 KiB + i*4099 bytes, all equal to byte(i+1): any mix of
	// two values, or a truncated one, is detectable.
	value := func(i int) []byte { return bytes.Repeat([]byte{byte(i + 1)}, 64<<10+i*4099) }
	check := func(b []byte) error {
		if len(b) == 0 {
			return errors.New("empty value")
		}
		i := int(b[0]) - 1
		if i < 0 || i >= writers || len(b) != len(value(i)) {
			return fmt.Errorf("torn value: %d bytes starting with %d", len(b), b[0])
		}
		if j := bytes.IndexFunc(b, func(r rune) bool { return r != rune(b[0]) }); j >= 0 {
			return fmt.Errorf("torn value: byte %d of %d differs", j, len(b))
		}
		return nil
	}

	ctx := context.Background()
	put(t, d, key, value(0))
	var (
		wg      sync.WaitGroup
		done    = make(chan struct{})
		errs    = make(chan error, writers*puts+64)
		readers sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			v := value(w)
			for range puts {
				if err := d.Put(ctx, key, bytes.NewReader(v), int64(len(v))); err != nil {
					errs <- fmt.Errorf("concurrent Put: %w", err)
				}
			}
		})
	}
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				b, err := d.Get(ctx, key)
				if err == nil {
					err = check(b)
				}
				if err != nil {
					select {
					case errs <- fmt.Errorf("Get during concurrent Puts: %w", err):
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := check(mustGet(t, d, key)); err != nil {
		t.Fatalf("final value: %v", err)
	}
	if got := listKeys(t, d, "contended"); len(got) != 1 {
		t.Fatalf("List after concurrent Puts = %q, want one key", got)
	}
}
