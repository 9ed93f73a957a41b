package natsstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

func init() { checkpoint.Register(Scheme, Open) }

// Scheme is the URL scheme that Open accepts and that the package registers
// with the checkpoint package.
const Scheme = "nats"

// Open connects to the NATS server that u names and returns a driver.Driver
// over the object store bucket in its path, creating the bucket if it does
// not exist (unless create=false: then a missing bucket gives a
// *checkpoint.NoStoreError). The driver owns the connection and closes it on
// Close. The URL form is
//
//	nats://[user:password@]host[:port]/bucket[?replicas=3&storage=file&create=false]
//
// replicas (1 to 5, default 1) and storage (file, the default, or memory)
// apply only when the bucket is created; an existing bucket keeps its own.
// The client learns the other servers of a cluster from the one it reaches,
// and reconnects to them when that one goes away.
func Open(ctx context.Context, u *url.URL) (driver.Driver, error) {
	server, cfg, create, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	opts := []nats.Option{nats.Name("cairn checkpoint store"), nats.MaxReconnects(-1)}
	if deadline, ok := ctx.Deadline(); ok {
		opts = append(opts, nats.Timeout(max(time.Until(deadline), time.Millisecond)))
	}
	nc, err := nats.Connect(server, opts...)
	if err != nil {
		return nil, fmt.Errorf("natsstore: connect to %s: %w", u.Redacted(), err)
	}
	js, err := jetstream.New(nc)
	if err == nil {
		var s *store
		if s, err = newStore(ctx, js, cfg, create); err == nil {
			s.nc = nc
			return s, nil
		}
	}
	nc.Close()
	if errors.Is(err, checkpoint.ErrNoStore) {
		return nil, err
	}
	return nil, fmt.Errorf("natsstore: open %s: %w", u.Redacted(), err)
}

// parseURL returns the server URL and the bucket configuration for a
// nats:// store URL, and whether a missing bucket may be created.
func parseURL(u *url.URL) (string, jetstream.ObjectStoreConfig, bool, error) {
	var cfg jetstream.ObjectStoreConfig
	bad := func(format string, args ...any) (string, jetstream.ObjectStoreConfig, bool, error) {
		return "", cfg, false, fmt.Errorf("natsstore: bad URL %s: "+format, append([]any{u.Redacted()}, args...)...)
	}
	create := true
	if u.Scheme != Scheme {
		return bad("scheme is %q, want %q", u.Scheme, Scheme)
	}
	if u.Host == "" {
		return bad("no server; write nats://host:port/bucket")
	}
	cfg.Bucket = strings.Trim(u.Path, "/")
	if cfg.Bucket == "" {
		return bad("no bucket; write nats://host:port/bucket")
	}
	if !validBucket(cfg.Bucket) {
		return bad("bucket name %q may hold only letters, digits, '-' and '_'", cfg.Bucket)
	}
	for k, v := range u.Query() {
		val := v[len(v)-1]
		switch k {
		case "replicas":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > 5 {
				return bad("replicas %q is not a number from 1 to 5", val)
			}
			cfg.Replicas = n
		case "create":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return bad("create %q is neither true nor false", val)
			}
			create = b
		case "storage":
			switch val {
			case "file":
				cfg.Storage = jetstream.FileStorage
			case "memory":
				cfg.Storage = jetstream.MemoryStorage
			default:
				return bad("storage %q is neither file nor memory", val)
			}
		default:
			return bad("unknown query parameter %q (known: create, replicas, storage)", k)
		}
	}
	server := url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}
	return server.String(), cfg, create, nil
}
