package natsstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// maxGetAttempts bounds how often Get starts over because a concurrent Put
// replaced the object while it was being read.
const maxGetAttempts = 16

// errReplaced says that an object's chunks went away while Get read them:
// a concurrent Put replaced it, or a Delete removed it.
var errReplaced = errors.New("object replaced while reading")

// Get implements driver.Driver.
//
// It reads the object's meta record and then its chunks one by one, by
// subject, with direct gets: a Put that replaces the object purges the old
// chunks, and a missing chunk then shows at once (the object store's own
// Get waits on a consumer until it times out), so Get starts over with the
// new meta record. The chunks' SHA-256 is checked against the record.
func (s *store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	for range maxGetAttempts {
		info, err := s.obs.GetInfo(ctx, key)
		if err != nil {
			return nil, wrap("get", key, err)
		}
		data, err := s.readChunks(ctx, info)
		if errors.Is(err, errReplaced) {
			continue
		}
		if err != nil {
			return nil, wrap("get", key, err)
		}
		return data, nil
	}
	return nil, wrap("get", key, fmt.Errorf("%w %d times in a row", errReplaced, maxGetAttempts))
}

// readChunks reads and checks the chunks of the object that info describes.
func (s *store) readChunks(ctx context.Context, info *jetstream.ObjectInfo) ([]byte, error) {
	if info.Opts != nil && info.Opts.Link != nil {
		return nil, errors.New("object is a link, which the checkpoint store does not follow")
	}
	data := make([]byte, 0, min(info.Size, 64<<20)) // the record is not trusted: grow as chunks come
	subj := chunkSubject(s.bucket, info.NUID)
	h := sha256.New()
	seq := uint64(1)
	for range info.Chunks {
		m, err := s.stream.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subj))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, errReplaced
		}
		if err != nil {
			return nil, err
		}
		if uint64(len(data)+len(m.Data)) > info.Size {
			return nil, fmt.Errorf("object %s has more than its %d bytes", info.NUID, info.Size)
		}
		data = append(data, m.Data...)
		h.Write(m.Data)
		seq = m.Sequence + 1
	}
	if uint64(len(data)) != info.Size || info.Digest != digest(h.Sum(nil)) {
		// The chunks of one id are written once; a mismatch means they
		// were (partly) purged and replaced by nothing, or are corrupt.
		if cur, err := s.obs.GetInfo(ctx, info.Name); err == nil && cur.NUID != info.NUID {
			return nil, errReplaced
		}
		return nil, fmt.Errorf("object %s: %d bytes with digest %s, want %d bytes with %s: %w",
			info.NUID, len(data), digest(h.Sum(nil)), info.Size, info.Digest, jetstream.ErrDigestMismatch)
	}
	return data, nil
}

// chunkSubject returns the subject of an object's chunks (ADR-20).
func chunkSubject(bucket, nuid string) string {
	return "$O." + bucket + ".C." + nuid
}

// digest formats a SHA-256 sum as the object store records it.
func digest(sum []byte) string {
	return "SHA-256=" + base64.URLEncoding.EncodeToString(sum)
}
