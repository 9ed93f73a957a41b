package natsstore

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnlabs/cairn/checkpoint/driver"
)

var _ driver.Sweeper = (*store)(nil)

// Sweep implements driver.Sweeper. A Put that dies between its chunks and
// its meta record, a failed Put whose context ended before it could purge
// its chunks, and Puts of one key that race (each purges only the chunks
// it saw when it started) leave chunks that no object refers to. Sweep
// purges each such set of chunks whose last chunk was stored before the
// given time, and reports how many sets and bytes it removed.
func (s *store) Sweep(ctx context.Context, before time.Time) (n int, size int64, err error) {
	if err := s.check(ctx); err != nil {
		return 0, 0, err
	}
	prefix := chunkSubject(s.bucket, "")
	// Chunk subjects first, live objects second: an object whose Put
	// completes in between is then seen as live.
	si, err := s.stream.Info(ctx, jetstream.WithSubjectFilter(prefix+">"))
	if err != nil {
		return 0, 0, wrap("sweep", "", err)
	}
	infos, err := s.obs.List(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoObjectsFound) {
		return 0, 0, wrap("sweep", "", err)
	}
	live := make(map[string]bool, len(infos))
	for _, info := range infos {
		live[info.NUID] = true
	}
	for subj := range si.State.Subjects {
		if live[strings.TrimPrefix(subj, prefix)] {
			continue
		}
		last, err := s.stream.GetLastMsgForSubject(ctx, subj)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue // purged meanwhile
		}
		if err != nil {
			return n, size, wrap("sweep", subj, err)
		}
		if !last.Time.Before(before) {
			continue // recent: perhaps a Put still running
		}
		sz, err := s.subjectBytes(ctx, subj)
		if err != nil {
			return n, size, wrap("sweep", subj, err)
		}
		if err := s.stream.Purge(ctx, jetstream.WithPurgeSubject(subj)); err != nil {
			return n, size, wrap("sweep", subj, err)
		}
		n++
		size += sz
	}
	return n, size, nil
}

// subjectBytes returns the payload bytes stored on subj.
func (s *store) subjectBytes(ctx context.Context, subj string) (int64, error) {
	var size int64
	for seq := uint64(1); ; {
		m, err := s.stream.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subj))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return size, nil
		}
		if err != nil {
			return size, err
		}
		size += int64(len(m.Data))
		seq = m.Sequence + 1
	}
}
