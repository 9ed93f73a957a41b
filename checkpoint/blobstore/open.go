package blobstore

import (
	"context"
	"fmt"
	"net/url"
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
// here rather than at the first checkpoint.
func Open(ctx context.Context, u *url.URL) (driver.Driver, error) {
	burl, err := bucketURL(u)
	if err != nil {
		return nil, err
	}
	b, err := blob.OpenBucket(ctx, burl.String())
	if err != nil {
		return nil, fmt.Errorf("blobstore: open %s: %w", u.Redacted(), err)
	}
	ok, err := b.IsAccessible(ctx)
	if err == nil && !ok {
		err = fmt.Errorf("bucket does not exist or is not accessible (check the bucket name and credentials)")
	}
	if err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("blobstore: open %s: %w", u.Redacted(), err)
	}
	s := newStore(b, true)
	s.syncDir = burl.Scheme == "file" && burl.Query().Get("no_tmp_dir") != ""
	return s, nil
}

// bucketURL returns the gocloud.dev/blob URL for a checkpoint store URL.
func bucketURL(u *url.URL) (*url.URL, error) {
	v := *u
	switch v.Scheme {
	case "s3", "gs", "azblob":
		return &v, nil
	case "blob+mem":
		v.Scheme = "mem"
		return &v, nil
	case "blob+file":
		v.Scheme = "file"
		q := v.Query()
		for k, val := range fileDefaults {
			if _, set := q[k]; !set {
				q.Set(k, val)
			}
		}
		v.RawQuery = q.Encode()
		return &v, nil
	}
	return nil, fmt.Errorf("blobstore: unsupported URL scheme %q in %s (want one of %s)",
		u.Scheme, u.Redacted(), strings.Join(Schemes, ", "))
}
