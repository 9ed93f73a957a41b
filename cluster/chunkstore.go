package cluster

import (
	"container/list"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/cairnlabs/cairn/codec"
)

// errNoChunk is what a store says of a number it does not hold.
var errNoChunk = errors.New("no such chunk")

// chunkStore holds a worker's values: in memory up to a budget, then the
// least recently used spill, encoded, to files in dir. It is safe for
// concurrent use.
type chunkStore struct {
	dir    string
	budget int64

	mu      sync.Mutex
	next    uint64
	m       map[uint64]*list.Element // of *chunk
	lru     list.List                // front: most recently used
	mem     int64                    // bytes of encoded values held in memory
	spilled int64                    // bytes on disk
}

// chunk is one value. In memory it has v and, once encoded, its encoding
// (which may alias v's memory: never modified); a value whose size is known
// without encoding it (codec.SizeHint) is encoded only when it is sent or
// spilled. Spilled, it has only its file.
type chunk struct {
	id    uint64
	v     any
	codec codec.ID
	data  []byte
	size  int64
	file  string // set once spilled
}

func newChunkStore(dir string, budget int64) *chunkStore {
	return &chunkStore{dir: dir, budget: budget, m: make(map[uint64]*list.Element), next: firstNumber()}
}

// firstNumber is where a store's numbers start: a random point, different
// in every process. A worker restarted under the same identity gets the
// tasks (and the references) meant for the process before it; a number
// from that process then names nothing here, and the value is lost,
// rather than naming another value.
func firstNumber() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) >> 2 // room to count up
}

// put adds a value with its encoding and returns its number. It spills
// others if the store is over its budget; a spill that fails is returned
// (the value itself is kept).
func (s *chunkStore) put(v any, id codec.ID, data []byte) (uint64, error) {
	return s.add(&chunk{v: v, codec: id, data: data, size: int64(len(data))})
}

// putLazy adds a value not yet encoded, whose encoding will be size bytes.
func (s *chunkStore) putLazy(v any, size int64) (uint64, error) {
	return s.add(&chunk{v: v, size: size})
}

func (s *chunkStore) add(c *chunk) (uint64, error) {
	s.mu.Lock()
	s.next++
	c.id = s.next
	s.m[c.id] = s.lru.PushFront(c)
	s.mem += c.size
	err := s.spillLocked()
	s.mu.Unlock()
	return c.id, err
}

// spillLocked writes the least recently used values to disk until the
// store fits its budget (the newest value stays in memory).
func (s *chunkStore) spillLocked() error {
	for s.mem > s.budget {
		e := s.lru.Back()
		for e != nil && e.Value.(*chunk).file != "" {
			e = e.Prev()
		}
		if e == nil || e == s.lru.Front() {
			return nil
		}
		c := e.Value.(*chunk)
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return fmt.Errorf("cluster: spilling to %s: %w", s.dir, err)
		}
		if err := c.encode(); err != nil {
			return err
		}
		f := filepath.Join(s.dir, fmt.Sprintf("%d.chunk", c.id))
		if err := os.WriteFile(f, c.data, 0o600); err != nil {
			_ = os.Remove(f)
			return fmt.Errorf("cluster: spilling to %s: %w", s.dir, err)
		}
		s.mem -= c.size
		s.spilled += c.size
		c.v, c.data, c.file = nil, nil, f
	}
	return nil
}

// encode fills in c's encoding, if it has none yet.
func (c *chunk) encode() error {
	if c.data != nil {
		return nil
	}
	id, data, err := codec.Marshal(c.v)
	if err != nil {
		return fmt.Errorf("cluster: encoding chunk %d to spill it: %w", c.id, err)
	}
	c.codec, c.data = id, data
	return nil
}

// get returns a value, read back from disk if it was spilled.
func (s *chunkStore) get(n uint64) (any, error) {
	s.mu.Lock()
	e, ok := s.m[n]
	if !ok {
		s.mu.Unlock()
		return nil, errNoChunk
	}
	s.lru.MoveToFront(e)
	c := e.Value.(*chunk)
	if c.file == "" {
		v := c.v
		s.mu.Unlock()
		return v, nil
	}
	file, id := c.file, c.codec
	s.mu.Unlock()
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("cluster: reading spilled chunk %d: %w", n, err)
	}
	return codec.Unmarshal(id, b, nil)
}

// open returns a value's encoding for sending: its bytes in memory, or its
// spilled file (the caller closes it).
func (s *chunkStore) open(n uint64) (id codec.ID, data []byte, f *os.File, size int64, err error) {
	s.mu.Lock()
	e, ok := s.m[n]
	if !ok {
		s.mu.Unlock()
		return 0, nil, nil, 0, errNoChunk
	}
	c := e.Value.(*chunk)
	v, id, data, file, size := c.v, c.codec, c.data, c.file, c.size
	s.mu.Unlock()
	if file == "" && data == nil {
		// Encoded for this send only: a copy for some types, which keeping
		// would double the memory the value takes.
		if id, data, err = codec.Marshal(v); err != nil {
			return 0, nil, nil, 0, fmt.Errorf("cluster: encoding chunk %d: %w", n, err)
		}
		if int64(len(data)) != size {
			return 0, nil, nil, 0, fmt.Errorf("cluster: chunk %d encodes to %d bytes, its size hint said %d", n, len(data), size)
		}
	}
	if file == "" {
		return id, data, nil, size, nil
	}
	f, err = os.Open(file)
	if err != nil {
		return 0, nil, nil, 0, fmt.Errorf("cluster: opening spilled chunk %d: %w", n, err)
	}
	return id, nil, f, size, nil
}

// release forgets values; numbers it does not hold are ignored.
func (s *chunkStore) release(ns ...uint64) {
	var files []string
	s.mu.Lock()
	for _, n := range ns {
		e, ok := s.m[n]
		if !ok {
			continue
		}
		c := e.Value.(*chunk)
		s.lru.Remove(e)
		delete(s.m, n)
		if c.file != "" {
			s.spilled -= c.size
			files = append(files, c.file)
		} else {
			s.mem -= c.size
		}
	}
	s.mu.Unlock()
	for _, f := range files {
		_ = os.Remove(f)
	}
}

// stats reports the values held, bytes in memory and bytes spilled.
func (s *chunkStore) stats() (n int, mem, spilled int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m), s.mem, s.spilled
}

// copyTo writes a value's encoding to w.
func (s *chunkStore) copyTo(w io.Writer, n uint64) error {
	_, data, f, _, err := s.open(n)
	if err != nil {
		return err
	}
	if f != nil {
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	}
	_, err = w.Write(data)
	return err
}
