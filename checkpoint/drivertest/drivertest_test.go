package drivertest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/checkpoint/drivertest"
)

// mapDriver is the smallest correct driver: a map under a mutex. It checks
// that the suite passes a correct driver.
type mapDriver struct {
	mu     sync.Mutex
	m      map[string]entry
	closed bool
}

type entry struct {
	b []byte
	t time.Time
}

var errClosed = errors.New("mapdriver: closed")

func (d *mapDriver) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.closed {
		return errClosed
	}
	return nil
}

func (d *mapDriver) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, size+1))
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("mapdriver: read %d bytes, want %d", n, size)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(ctx); err != nil {
		return err
	}
	d.m[key] = entry{buf.Bytes(), time.Now()}
	return nil
}

func (d *mapDriver) Get(ctx context.Context, key string) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(ctx); err != nil {
		return nil, err
	}
	e, ok := d.m[key]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return bytes.Clone(e.b), nil
}

func (d *mapDriver) Stat(ctx context.Context, key string) (driver.Attrs, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(ctx); err != nil {
		return driver.Attrs{}, err
	}
	e, ok := d.m[key]
	if !ok {
		return driver.Attrs{}, fs.ErrNotExist
	}
	return driver.Attrs{Key: key, Size: int64(len(e.b)), ModTime: e.t}, nil
}

func (d *mapDriver) Delete(ctx context.Context, key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(ctx); err != nil {
		return err
	}
	delete(d.m, key)
	return nil
}

func (d *mapDriver) List(ctx context.Context, prefix string, fn func(driver.Attrs) error) error {
	d.mu.Lock()
	if err := d.check(ctx); err != nil {
		d.mu.Unlock()
		return err
	}
	var as []driver.Attrs
	for k, e := range d.m {
		if strings.HasPrefix(k, prefix) {
			as = append(as, driver.Attrs{Key: k, Size: int64(len(e.b)), ModTime: e.t})
		}
	}
	d.mu.Unlock()
	for _, a := range as {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

func (d *mapDriver) Touch(ctx context.Context, key string, t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.m[key]; ok {
		e.t = t
		d.m[key] = e
	}
	return nil
}

func (d *mapDriver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

func TestConformance(t *testing.T) {
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver {
		return &mapDriver{m: map[string]entry{}}
	})
}
