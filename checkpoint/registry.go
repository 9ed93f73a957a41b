package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

// An Opener opens a driver for a store URL of its scheme.
type Opener func(ctx context.Context, u *url.URL) (driver.Driver, error)

var registry struct {
	sync.RWMutex
	m map[string]Opener
}

// Register makes a driver available to Open under a URL scheme. A driver
// package calls it from an init function; users blank-import the package
// (or checkpoint/all for every driver). Register panics if opener is nil or
// the scheme is already registered.
//
// An opener must honour the query parameter create=false (see
// OpenExisting): open the store only if it already exists, and otherwise
// return a *NoStoreError having created nothing; or, where it cannot tell,
// reject the parameter as unknown. create=true, and no create parameter,
// mean the opener's usual behaviour.
func Register(scheme string, opener func(ctx context.Context, u *url.URL) (driver.Driver, error)) {
	if opener == nil {
		panic("checkpoint: Register opener is nil")
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.m == nil {
		registry.m = make(map[string]Opener)
	}
	if _, dup := registry.m[scheme]; dup {
		panic(fmt.Sprintf("checkpoint: Register called twice for scheme %q", scheme))
	}
	registry.m[scheme] = opener
}

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	registry.RLock()
	defer registry.RUnlock()
	var s []string
	for k := range registry.m {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// Open opens the store a URL names, through the driver registered for its
// scheme: "file:///abs/dir" and "mem://" (blank-import checkpoint/local,
// which registers both and nothing heavier), the other schemes of
// cairn's drivers (checkpoint/all registers them all), and those of other
// drivers. For a scheme of cairn's whose driver is not linked in, the error
// gives the import line to add. Each driver documents its own query parameters;
// Open itself takes one, "compression=none" or "compression=zstd", which sets
// Options.Compression, and every driver honours "create=false" (see
// OpenExisting). The Store's other options are the defaults of New. Without
// create=false, a store that does not exist yet is created where the driver
// can (a file:// directory, a sqlite:// file, a nats:// bucket).
func Open(ctx context.Context, urlstr string) (*Store, error) {
	return open(ctx, urlstr, false)
}

// OpenExisting opens the store a URL names, as Open does, but only if it
// already exists: whatever the URL says, it asks the driver for create=false.
// A store that does not exist gives a *NoStoreError (matching ErrNoStore)
// naming the URL, and nothing is created. Tools that only read or delete
// checkpoints use it, so that a mistyped path is an error instead of a new,
// empty store. mem:// and blob+mem:// stores live in one process only, so
// there is never an existing one to open.
func OpenExisting(ctx context.Context, urlstr string) (*Store, error) {
	return open(ctx, urlstr, true)
}

// open opens the store urlstr names; existing asks the driver for
// create=false.
func open(ctx context.Context, urlstr string, existing bool) (*Store, error) {
	u, err := url.Parse(urlstr)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: store URL %q does not parse: %w", urlstr, err)
	}
	if u.Scheme == "" {
		return nil, fmt.Errorf("checkpoint: store URL %q has no scheme; write it as file:///abs/dir, mem:// or another registered scheme", urlstr)
	}
	registry.RLock()
	opener := registry.m[u.Scheme]
	registry.RUnlock()
	if opener == nil {
		return nil, noDriverError(u.Scheme)
	}
	var opts Options
	q := u.Query()
	if q.Has("compression") {
		switch c := q.Get("compression"); c {
		case "none":
			opts.Compression = CompressionNone
		case "zstd":
			opts.Compression = CompressionZstd
		default:
			return nil, fmt.Errorf("checkpoint: store URL %q: compression=%q is unknown; use none or zstd", urlstr, c)
		}
		q.Del("compression")
		u.RawQuery = q.Encode()
	}
	if existing {
		q := u.Query()
		q.Set("create", "false")
		u.RawQuery = q.Encode()
	}
	d, err := opener(ctx, u)
	var nse *NoStoreError
	if errors.As(err, &nse) {
		if nse.URL == "" {
			nse.URL = redacted(urlstr)
		}
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: open %q: %w", urlstr, err)
	}
	s := New(d, &opts)
	s.url = urlstr
	return s, nil
}

// URL returns the URL the Store was opened from, exactly as given to Open,
// query parameters included, so that other processes (the workers of a
// run, say) can open the same store with the same options:
// checkpoint.Open(ctx, s.URL()). A Store made by New has none: URL returns
// "", and the program passes the URL it built the driver from instead.
//
// A mem:// URL names no shared store: each Open of it, in this process or
// another, is a new, empty store, so workers given it keep their
// checkpoints to themselves. The URL may hold credentials (a user and
// password in nats://, say): log it redacted (url.URL.Redacted).
func (s *Store) URL() string { return s.url }
