package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/codec"
	"github.com/cairnlabs/cairn/exec"
)

// keyResult caches a node's key (or why it has none).
type keyResult struct {
	key string
	err error
	// buf holds a computed key's bytes where they fit, so that a key
	// costs one allocation: keys are computed for every node of every run
	// with a store.
	buf [112]byte
}

// Key returns the node's checkpoint key: Opts.Key if set, otherwise a hash
// of its function's name and version and of its inputs — literals by
// content, thunk inputs by their own keys (a Merkle chain), chunks by the
// key of the thunk that made them or by content. See cairn.Thunk.Key.
func (n *Node) Key() (string, error) {
	if n == nil || n.Fn == nil && n.Err == nil {
		return "", fmt.Errorf("%w: the thunk was not made by Delayed", ErrUnkeyable)
	}
	if r := n.key.Load(); r != nil {
		return r.key, r.err
	}
	// Keys of inputs first, without recursion: chains may be very deep.
	var order []*Node
	seen := map[*Node]bool{}
	stack := []*Node{n}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		if x.key.Load() != nil {
			stack = stack[:len(stack)-1]
			continue
		}
		if !seen[x] {
			seen[x] = true
			x.Inputs(func(in *Node) {
				if in.key.Load() == nil && !seen[in] {
					stack = append(stack, in)
				}
			})
			continue
		}
		stack = stack[:len(stack)-1]
		order = append(order, x)
	}
	for _, x := range order {
		x.computeKey()
	}
	r := n.key.Load()
	return r.key, r.err
}

// computeKey computes and caches the key of a node whose inputs' keys are
// cached.
func (n *Node) computeKey() {
	if n.key.Load() != nil {
		return
	}
	r := n.hashKey()
	if r.err != nil {
		r.err = fmt.Errorf("%w: %s: %v", ErrUnkeyable, n.Name(), r.err)
	}
	n.key.CompareAndSwap(nil, r)
}

const keyDomain = "cairn/key/v1"

func (n *Node) hashKey() *keyResult {
	if n.Err != nil {
		return &keyResult{err: n.Err}
	}
	if n.Fn == nil {
		return &keyResult{err: errors.New("the thunk was not made by Delayed")}
	}
	if n.Opts != nil && n.Opts.Key != "" {
		if err := checkpoint.ValidateKey(n.Opts.Key); err != nil {
			return &keyResult{err: err}
		}
		return &keyResult{key: n.Opts.Key}
	}
	if !n.Fn.stable {
		return &keyResult{err: fmt.Errorf("function %s is a closure or method value: Register it, or set Options.Key", n.Fn.name)}
	}
	// The hash's input is built in one buffer and hashed at once: keys are
	// computed for every node of every run with a store.
	b := preimages.Get().(*preimage)
	defer b.release()
	b.str(keyDomain)
	b.str(n.Fn.name)
	b.str(n.Fn.version)
	if n.Fn.version == "" {
		// No explicit version: the code is the version, where its source
		// can be found (else the name alone; computeKeys warns).
		if d, err := n.Fn.sourceDigest(); err == nil {
			b.b = binary.LittleEndian.AppendUint32(b.b, uint32(len("src:")+len(d)))
			b.b = append(append(b.b, "src:"...), d...) // b.str("src:" + d), without the string
		}
	}
	b.b = binary.LittleEndian.AppendUint32(b.b, uint32(len(n.Args)))
	for i, a := range n.Args {
		if err := hashArg(b, a); err != nil {
			return &keyResult{err: fmt.Errorf("argument %d: %w", i+1, err)}
		}
	}
	sum := sha256.Sum256(b.b)
	prefix := n.Fn.keyPrefix()
	r := &keyResult{}
	if len(prefix)+1+hex.EncodedLen(len(sum)) > len(r.buf) {
		r.key = prefix + "/" + hex.EncodeToString(sum[:])
		return r
	}
	k := append(r.buf[:0], prefix...)
	k = append(k, '/')
	k = hex.AppendEncode(k, sum[:])
	r.key = unsafe.String(&r.buf[0], len(k)) // buf is never written again
	return r
}

// preimage is the bytes a key hashes; it is an io.Writer for Fingerprint.
type preimage struct{ b []byte }

var preimages = sync.Pool{New: func() any { return &preimage{b: make([]byte, 0, 1024)} }}

func (p *preimage) Write(b []byte) (int, error) {
	p.b = append(p.b, b...)
	return len(b), nil
}

// str appends a length-prefixed string.
func (p *preimage) str(s string) {
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(len(s)))
	p.b = append(p.b, s...)
}

func (p *preimage) release() {
	if cap(p.b) <= 1<<20 {
		p.b = p.b[:0]
		preimages.Put(p)
	}
}

// hashArg writes one argument: 'T' and a thunk's key, 'K' and a chunk's
// lineage key, 'V' and a value's fingerprint, or 'L' and a composite's
// elements (a map's entries sorted by their keys' fingerprints).
func hashArg(h *preimage, arg any) error {
	switch a := arg.(type) {
	case *Node:
		r := a.key.Load()
		if r == nil || r.err != nil {
			return fmt.Errorf("input thunk %s has no key", a.Name())
		}
		h.b = append(h.b, 'T')
		h.str(r.key)
		return nil
	case *Composite:
		h.b = append(h.b, 'L')
		h.str(a.Type.String())
		h.b = binary.LittleEndian.AppendUint32(h.b, uint32(len(a.Elems)))
		if a.Keys == nil {
			for j, e := range a.Elems {
				if err := hashArg(h, e); err != nil {
					return fmt.Errorf("element %d: %w", j, err)
				}
			}
			return nil
		}
		entries := make([][]byte, len(a.Elems))
		for j, e := range a.Elems {
			var kb bytes.Buffer
			if err := codec.Fingerprint(&kb, a.Keys[j]); err != nil {
				return fmt.Errorf("map key %v: %w", a.Keys[j], err)
			}
			eh := &preimage{}
			if err := hashArg(eh, e); err != nil {
				return fmt.Errorf("map element %v: %w", a.Keys[j], err)
			}
			sum := sha256.Sum256(eh.b)
			entries[j] = append(kb.Bytes(), sum[:]...)
		}
		slices.SortFunc(entries, bytes.Compare)
		for _, e := range entries {
			h.str(string(e))
		}
		return nil
	case exec.Chunk:
		if kc, ok := a.(exec.Keyed); ok && kc.Key() != "" {
			h.b = append(h.b, 'K')
			h.str(kc.Key())
			return nil
		}
		if r, ok := a.(exec.Remote); ok {
			return fmt.Errorf("a chunk held by %s that was made without a key cannot be keyed without fetching it", r.Location())
		}
		v, err := a.Value(context.Background())
		if err != nil {
			return err
		}
		arg = v
	}
	var err error
	h.b, err = codec.AppendFingerprint(append(h.b, 'V'), arg)
	return err
}

// keyPrefix turns a function name into a key segment a store accepts.
func keyPrefix(name string) string {
	var b strings.Builder
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), ".")
	if s == "" {
		s = "func"
	}
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

// computeKeys returns the store key of every node of the run's graph (""
// for those not stored: opted out, spawned, or without a stable key).
// Nodes without a key are logged once per function.
func (r *run) computeKeys() []string {
	g := r.g
	keys := make([]string, len(g.nodes))
	told := map[string]bool{}
	for i, n := range g.nodes {
		if g.external[i] {
			n.Key() // a spawned leaf: its inputs are not in g
		} else {
			n.computeKey() // inputs come first in g.nodes
		}
		kr := n.key.Load()
		if kr.err == nil && n.Fn.version == "" {
			n.Fn.warnNoSource(r.s.cfg.Logger)
		}
		if kr.err != nil {
			if !told[n.Fn.name] && !errors.Is(kr.err, n.Err) {
				told[n.Fn.name] = true
				r.s.cfg.Logger.Info("cairn: not checkpointing thunks without a stable key", "thunk", n.Name(), "reason", kr.err)
			}
			continue
		}
		if g.external[i] || n.Fn.noStore || (n.Opts != nil && n.Opts.NoCheckpoint) {
			continue
		}
		keys[i] = kr.key
	}
	return keys
}

// key returns node i's store key, or "".
func (r *run) key(i int32) string {
	if r.keys == nil {
		return ""
	}
	return r.keys[i]
}

// lineageKey returns node i's key whether or not it is stored, if it was
// computed (with a store) and it has one.
func (r *run) lineageKey(i int32) string {
	if r.keys == nil {
		return ""
	}
	if kr := r.g.nodes[i].key.Load(); kr != nil && kr.err == nil {
		return kr.key
	}
	return ""
}

// CachedKey returns the node's key if it was computed already, without
// computing it.
func (n *Node) CachedKey() (string, bool) {
	if kr := n.key.Load(); kr != nil && kr.err == nil && kr.key != "" {
		return kr.key, true
	}
	return "", false
}
