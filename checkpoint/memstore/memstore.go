package memstore

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

func init() { checkpoint.Register("mem", openURL) }

// ErrBudget is matched (with errors.Is) by the error of a Put that would
// exceed the memory budget.
var ErrBudget = errors.New("memstore: memory budget exceeded")

// errClosed is returned after Close.
var errClosed = errors.New("memstore: store is closed")

// Options configure a Driver. The zero value (and a nil *Options) means no
// budget.
type Options struct {
	// Budget is the most bytes the store holds, counting stored entries'
	// sizes. Zero means no limit.
	Budget int64
	// Evict makes a Put over budget evict the least recently used entries
	// (by last Put, Get or Touch) instead of failing with ErrBudget.
	Evict bool
	// Now returns the current time, for ModTime. Default: time.Now.
	Now func() time.Time
}

// Driver is an in-memory driver.Driver. It is safe for concurrent use.
type Driver struct {
	opts   Options
	mu     sync.Mutex
	m      map[string]*list.Element // of *entry
	lru    *list.List               // front: most recently used
	used   int64
	closed bool
}

type entry struct {
	key string
	b   []byte
	mod time.Time
}

// New returns an empty Driver; nil opts means the defaults.
func New(opts *Options) *Driver {
	d := &Driver{m: make(map[string]*list.Element), lru: list.New()}
	if opts != nil {
		d.opts = *opts
	}
	if d.opts.Now == nil {
		d.opts.Now = time.Now
	}
	return d
}

// openURL opens a Driver for a mem:// URL.
func openURL(_ context.Context, u *url.URL) (driver.Driver, error) {
	var opts Options
	if u.Host != "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("memstore: URL %q names a host or path; write mem:// with options as query parameters (mem://?budget=64MiB)", u.Redacted())
	}
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "budget":
			n, err := checkpoint.ParseSize(v)
			if err != nil {
				return nil, fmt.Errorf("memstore: budget=%q: %w", v, err)
			}
			opts.Budget = n
		case "create":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("memstore: create=%q: use create=true or create=false", v)
			}
			if !b {
				return nil, &checkpoint.NoStoreError{Reason: "a mem:// store is new and empty in each process that opens it, so there is no existing one to open"}
			}
		case "evict":
			switch v {
			case "lru":
				opts.Evict = true
			case "none", "":
			default:
				return nil, fmt.Errorf("memstore: evict=%q is unknown; use evict=lru or evict=none", v)
			}
		default:
			return nil, fmt.Errorf("memstore: unknown URL parameter %q; known: budget, create, evict", k)
		}
	}
	return New(&opts), nil
}

// Prefer asks the Store to compress payloads: RAM is dear.
func (d *Driver) Prefer() driver.Preferences { return driver.Preferences{Compress: true} }

// Used returns the number of bytes the stored entries take.
func (d *Driver) Used() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.used
}

// check reports a done context or a closed driver; d.mu is held.
func (d *Driver) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.closed {
		return errClosed
	}
	return nil
}

// Put implements driver.Driver.
func (d *Driver) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("memstore: put %q: negative size %d", key, size)
	}
	if b := d.opts.Budget; b > 0 && size > b {
		return fmt.Errorf("%w: %q is %d bytes, more than the whole budget of %d bytes; raise ?budget=", ErrBudget, key, size, b)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		return fmt.Errorf("memstore: put %q: reading %d bytes: %w", key, size, err)
	}
	if n, _ := r.Read(make([]byte, 1)); n > 0 {
		return fmt.Errorf("memstore: put %q: the reader holds more than the %d bytes announced", key, size)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(ctx); err != nil {
		return err
	}
	var old int64
	if el, ok := d.m[key]; ok {
		old = int64(len(el.Value.(*entry).b))
	}
	if b := d.opts.Budget; b > 0 && d.used-old+size > b {
		if !d.opts.Evict {
			return fmt.Errorf("%w: storing %q (%d bytes) would exceed the budget of %d bytes (%d in use); raise ?budget=, delete old entries, or allow eviction with ?evict=lru", ErrBudget, key, size, b, d.used)
		}
		for el := d.lru.Back(); el != nil && d.used-old+size > b; {
			prev := el.Prev()
			if e := el.Value.(*entry); e.key != key {
				d.remove(el)
			}
			el = prev
		}
	}
	e := &entry{key: key, b: buf, mod: d.opts.Now()}
	if el, ok := d.m[key]; ok {
		d.remove(el)
	}
	d.m[key] = d.lru.PushFront(e)
	d.used += size
	return nil
}

// remove drops an element; d.mu is held.
func (d *Driver) remove(el *list.Element) {
	e := el.Value.(*entry)
	d.lru.Remove(el)
	delete(d.m, e.key)
	d.used -= int64(len(e.b))
}

// lookup returns key's entry, marking it used; d.mu is held.
func (d *Driver) lookup(ctx context.Context, key string) (*entry, error) {
	if err := d.check(ctx); err != nil {
		return nil, err
	}
	el, ok := d.m[key]
	if !ok {
		return nil, &fs.PathError{Op: "memstore: get", Path: key, Err: fs.ErrNotExist}
	}
	d.lru.MoveToFront(el)
	return el.Value.(*entry), nil
}

// Get implements driver.Driver. It returns a copy: the caller may keep and
// change it.
func (d *Driver) Get(ctx context.Context, key string) ([]byte, error) {
	d.mu.Lock()
	e, err := d.lookup(ctx, key)
	d.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), e.b...), nil // entries are never changed in place
}

// GetRange implements driver.RangeGetter.
func (d *Driver) GetRange(ctx context.Context, key string, offset, length int64) ([]byte, error) {
	d.mu.Lock()
	e, err := d.lookup(ctx, key)
	d.mu.Unlock()
	if err != nil {
		return nil, err
	}
	n := int64(len(e.b))
	lo := min(max(offset, 0), n)
	hi := lo + min(max(length, 0), n-lo)
	return append([]byte(nil), e.b[lo:hi]...), nil
}

// Stat implements driver.Driver.
func (d *Driver) Stat(ctx context.Context, key string) (driver.Attrs, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(ctx); err != nil {
		return driver.Attrs{}, err
	}
	el, ok := d.m[key]
	if !ok {
		return driver.Attrs{}, &fs.PathError{Op: "memstore: stat", Path: key, Err: fs.ErrNotExist}
	}
	e := el.Value.(*entry)
	return driver.Attrs{Key: key, Size: int64(len(e.b)), ModTime: e.mod}, nil
}

// Touch implements driver.Toucher.
func (d *Driver) Touch(ctx context.Context, key string, t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, err := d.lookup(ctx, key)
	if err != nil {
		return err
	}
	e.mod = t
	return nil
}

// Delete implements driver.Driver.
func (d *Driver) Delete(ctx context.Context, key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(ctx); err != nil {
		return err
	}
	if el, ok := d.m[key]; ok {
		d.remove(el)
	}
	return nil
}

// List implements driver.Driver. It calls fn without holding its lock, so
// fn may call the driver.
func (d *Driver) List(ctx context.Context, prefix string, fn func(driver.Attrs) error) error {
	d.mu.Lock()
	if err := d.check(ctx); err != nil {
		d.mu.Unlock()
		return err
	}
	var as []driver.Attrs
	for k, el := range d.m {
		if strings.HasPrefix(k, prefix) {
			e := el.Value.(*entry)
			as = append(as, driver.Attrs{Key: k, Size: int64(len(e.b)), ModTime: e.mod})
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

// Close drops every entry. Later calls fail.
func (d *Driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	d.m, d.lru, d.used = nil, list.New(), 0
	return nil
}
