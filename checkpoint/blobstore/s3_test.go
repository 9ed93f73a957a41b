package blobstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob/s3blob"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/checkpoint/blobstore"
	"github.com/cairnlabs/cairn/checkpoint/driver"
	"github.com/cairnlabs/cairn/checkpoint/drivertest"
)

// fakeS3 is an S3-compatible server (gofakes3 over memory) on 127.0.0.1.
type fakeS3 struct {
	srv     *httptest.Server
	client  *s3.Client
	buckets atomic.Int64
}

// startS3 starts a fake S3 server that stops when tb ends.
func startS3(tb testing.TB) *fakeS3 {
	tb.Helper()
	faker := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	srv := httptest.NewServer(faker.Server())
	tb.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		HTTPClient:  srv.Client(),
		// gofakes3 predates the SDK's default CRC32 trailing checksums.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	return &fakeS3{srv: srv, client: client}
}

// newBucket creates a fresh, empty bucket and returns its name.
func (f *fakeS3) newBucket(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("bucket-%d", f.buckets.Add(1))
	if _, err := f.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		tb.Fatalf("CreateBucket(%s): %v", name, err)
	}
	return name
}

// openNew opens a fresh bucket through s3blob and New.
func (f *fakeS3) openNew(tb testing.TB) driver.Driver {
	tb.Helper()
	b, err := s3blob.OpenBucket(context.Background(), f.client, f.newBucket(tb), &s3blob.Options{
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = b.Close() })
	return blobstore.New(b)
}

// s3URL returns an s3:// URL for a fresh bucket on the fake server; the
// credentials come from the environment.
func (f *fakeS3) s3URL(tb testing.TB) string {
	q := url.Values{
		"endpoint":                     {f.srv.URL},
		"region":                       {"us-east-1"},
		"use_path_style":               {"true"},
		"request_checksum_calculation": {"when_required"},
		"response_checksum_validation": {"when_required"},
	}
	return "s3://" + f.newBucket(tb) + "?" + q.Encode()
}

// s3Env points the AWS SDK's default configuration at static test
// credentials and away from the user's files.
func s3Env(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRETTEST")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestConformanceS3(t *testing.T) {
	f := startS3(t)
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver { return f.openNew(t) })
}

func TestConformanceS3URL(t *testing.T) {
	s3Env(t)
	f := startS3(t)
	drivertest.RunConformance(t, func(t *testing.T) driver.Driver { return open(t, f.s3URL(t)) })
}

func TestOpenS3MissingBucket(t *testing.T) {
	s3Env(t)
	f := startS3(t)
	u, _ := url.Parse("s3://no-such-bucket?endpoint=" + url.QueryEscape(f.srv.URL) + "&region=us-east-1&use_path_style=true")
	d, err := blobstore.Open(context.Background(), u)
	if err == nil {
		d.Close()
		t.Fatal("Open of a missing bucket succeeded, want an error")
	}
	t.Log(err)
	s, err := checkpoint.OpenExisting(context.Background(), u.String())
	if err == nil {
		s.Close()
	}
	if !errors.Is(err, checkpoint.ErrNoStore) || !strings.Contains(err.Error(), "no-such-bucket") {
		t.Fatalf("OpenExisting of a missing bucket = %v, want ErrNoStore naming the bucket", err)
	}
}
