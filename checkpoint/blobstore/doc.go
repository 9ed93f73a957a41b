// Package blobstore is a checkpoint store driver over gocloud.dev/blob: one
// blob per checkpoint key in Amazon S3 (or any S3-compatible server), Google
// Cloud Storage, Azure Blob Storage, a local directory or memory.
//
// # URLs
//
// Importing the package registers these schemes with the checkpoint
// package, so checkpoint.Open accepts them:
//
//	s3://bucket?region=us-east-1                     Amazon S3
//	s3://bucket?endpoint=http://127.0.0.1:9000&use_path_style=true&region=us-east-1
//	                                                 MinIO, Ceph and other S3-compatible servers
//	gs://bucket                                      Google Cloud Storage
//	azblob://container                               Azure Blob Storage
//	blob+file:///scratch/run1                        a local directory, through gocloud's fileblob
//	blob+mem://                                      memory, through gocloud's memblob (tests)
//
// The s3, gs and azblob URLs go to blob.OpenBucket unchanged, so every query
// parameter gocloud documents works; credentials come from the usual places
// (for S3 the AWS SDK's default chain: environment, shared files, instance
// role). Add prefix=run1/ to keep several stores in one bucket. Many
// S3-compatible servers need request_checksum_calculation=when_required
// and response_checksum_validation=when_required as well.
//
// blob+file is fileblob with three defaults (each can be overridden in the
// URL): create_dir=true, no_tmp_dir=true (temporary files beside the final
// ones, so the rename never crosses file systems and Sweep can remove what a
// crashed Put left) and metadata=skip (no ".attrs" side files). For a local
// directory, cairn's own file:// store is usually the better choice; blob+file
// is there for symmetry and tests.
//
// create=false (checkpoint.OpenExisting) opens only a store that exists: a
// blob+file directory that is there, never a blob+mem store (each lives in
// one process). Buckets of the other schemes are never created; a missing
// or inaccessible one is an error matching checkpoint.ErrNoStore either way.
//
// A bucket already open in the program (say, from s3blob.OpenBucket with a
// client of its own) is wrapped with New, and the driver handed to the
// checkpoint package; the caller keeps the bucket and closes it.
//
// # Layout and guarantees
//
// Each key is one blob of the same name. In a fileblob bucket the name gets
// an '@' appended ("run1/ab12@"), because a directory cannot hold both a
// file "a" and a directory "a" for the keys "a" and "a/b", and because
// fileblob reserves names ending in ".attrs".
//
// A Put is atomic: blob writers commit only on a clean Close, and a Put whose
// reader fails, is short or long, or whose context is cancelled aborts the
// write and leaves the old blob in place. With fileblob the temporary file is
// fsynced before the rename (and, with no_tmp_dir, the directory after it).
// Open a fileblob bucket handed to New with Metadata:
// fileblob.MetadataDontWrite: fileblob rewrites its ".attrs" side files in
// place, so a Get racing a Put of the same key can fail to decode them.
//
// On S3, values over 5 MiB go up as multipart uploads; a failed Put aborts
// its upload, but a process that dies mid-upload leaves it incomplete, and
// S3 keeps (and bills) its parts until a lifecycle rule with
// AbortIncompleteMultipartUpload removes them: set one on the bucket.
//
// The driver implements driver.RangeGetter (ranged reads) and
// driver.Sweeper (removes the temporaries of crashed Puts in a fileblob
// bucket; other services never expose unfinished uploads). It does not
// implement driver.Toucher: updating a blob's modification time means
// rewriting it.
package blobstore
