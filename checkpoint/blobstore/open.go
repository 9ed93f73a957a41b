package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob://
	_ "gocloud.dev/blob/fileblob"  // file://, reached as blob+file://
	_ "gocloud.dev/blob/gcsblob"   // gs://
	_ "gocloud.dev/blob/memblob"   // mem://, reached as blob+mem://
	_ "gocloud.dev/blob/s3blob"    // s3://

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/driver"
)

func init() {
	for _, scheme := range Schemes {
		checkpoint.Register(scheme, Open)
	}
}

// Schemes lists the URL schemes that Open accepts and that the package
// registers with the checkpoint package.
var Schemes = []string{"s3", "gs", "azblob", "blob+file", "blob+mem"}

// fileDefaults are the fileblob query parameters that blob+file URLs get
// unless they set them: create the directory, write temporaries beside the
// final files (a rename within one file system, and Sweep can find what a
// crashed Put left), and write no ".attrs" metadata side files.
var fileDefaults = map[string]string{
	"create_dir": "true",
	"no_tmp_dir": "true",
	"metadata":   "skip",
}

// Open opens the bucket that u names and returns a driver.Driver over it.
// The driver owns the bucket and closes it on Close.
//
// The schemes s3, gs and azblob go to gocloud.dev/blob unchanged, with all
// their query parameters (region, endpoint, use_path_style, prefix, ...).
// The schemes blob+file and blob+mem reach gocloud's fileblob and memblob:
// the "blob+" is stripped and blob+file gets the defaults create_dir=true,
// no_tmp_dir=true and metadata=skip where the URL does not set them. The
// bucket is probed once, so a wrong bucket name or missing credentials fail
// here rather than at the first checkpoint: a bucket that does not exist,
// or cannot be reached with the credentials at hand, gives a
// *checkpoint.NoStoreError.
//
// Every scheme takes create=false (checkpoint.OpenExisting): blob+file then
// opens only an existing directory, and blob+mem, whose store lives in one
// process only, always fails with a *checkpoint.NoStoreError. Buckets of
// the other schemes are never created, so create changes nothing there.
func Open(ctx context.Context, u *url.URL) (driver.Driver, error) {
	burl, create, err := bucketURL(u)
	if err != nil {
		return nil, err
	}
	if !create {
		switch burl.Scheme {
		case "mem":
			return nil, &checkpoint.NoStoreError{Reason: "a blob+mem:// store is new and empty in each process that opens it, so there is no existing one to open"}
		case "file":
			if err := dirExists(burl.Path); err != nil {
				return nil, err
			}
		}
	}
	b, err := blob.OpenBucket(ctx, burl.String())
	if err != nil {
		return nil, fmt.Errorf("blobstore: open %s: %w", u.Redacted(), err)
	}
	ok, err := b.IsAccessible(ctx)
	if err == nil && !ok {
		_ = b.Close()
		return nil, &checkpoint.NoStoreError{Reason: "the bucket does not exist or is not accessible (check the bucket name and credentials)"}
	}
	if err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("blobstore: open %s: %w", u.Redacted(), err)
	}
	s := newStore(b, true)
	s.syncDir = burl.Scheme == "file" && burl.Query().Get("no_tmp_dir") != ""
	return s, nil
}

// bucketURL returns the gocloud.dev/blob URL for a checkpoint store URL,
// without its create parameter, and that parameter's value (default true).
func bucketURL(u *url.URL) (*url.URL, bool, error) {
	v := *u
	create := true
	if q := v.Query(); q.Has("create") {
		c := q.Get("create")
		b, err := strconv.ParseBool(c)
		if err != nil {
			return nil, false, fmt.Errorf("blobstore: create=%q in %s: use create=true or create=false", c, u.Redacted())
		}
		create = b
		q.Del("create")
		v.RawQuery = q.Encode()
	}
	switch v.Scheme {
	case "s3", "gs", "azblob":
		return &v, create, nil
	case "blob+mem":
		v.Scheme = "mem"
		return &v, create, nil
	case "blob+file":
		v.Scheme = "file"
		q := v.Query()
		for k, val := range fileDefaults {
			if _, set := q[k]; !set {
				q.Set(k, val)
			}
		}
		if !create {
			q.Del("create_dir")
		}
		v.RawQuery = q.Encode()
		return &v, create, nil
	}
	return nil, false, fmt.Errorf("blobstore: unsupported URL scheme %q in %s (want one of %s)",
		u.Scheme, u.Redacted(), strings.Join(Schemes, ", "))
}

// dirExists reports a *checkpoint.NoStoreError unless dir is a directory.
func dirExists(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &checkpoint.NoStoreError{Reason: fmt.Sprintf("directory %s does not exist", dir)}
	case err != nil:
		return fmt.Errorf("blobstore: %w", err)
	case !st.IsDir():
		return &checkpoint.NoStoreError{Reason: fmt.Sprintf("%s is a file, not a store's directory", dir)}
	}
	return nil
}
