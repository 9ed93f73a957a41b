package cairn

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"strings"

	"github.com/cairnlabs/cairn/checkpoint"
	"github.com/cairnlabs/cairn/codec"
)

// keyResult caches a thunk's key (or why it has none).
type keyResult struct {
	key string
	err error
}

// Key returns the thunk's checkpoint key: Options.Key if set, otherwise a
// hash of its function's name and version and of its inputs — literal
// arguments by content, thunk arguments by their own keys (a Merkle chain),
// chunk arguments by the key of the thunk that made them or by content.
// Change an input or bump a function's version and the key changes, for
// this thunk and every thunk downstream. The key has the form
// "<function>/<64 hex digits>".
//
// A thunk has no key (ErrUnkeyable) if its function is a closure or method
// value that was not registered (its name does not show what it captured),
// or if an input cannot be hashed deterministically (a func, a channel).
func (t *Thunk) Key() (string, error) {
	if r := t.key.Load(); r != nil {
		return r.key, r.err
	}
	// Keys of inputs first, without recursion: chains may be very deep.
	var order []*Thunk
	seen := map[*Thunk]bool{}
	stack := []*Thunk{t}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		if x.key.Load() != nil {
			stack = stack[:len(stack)-1]
			continue
		}
		if !seen[x] {
			seen[x] = true
			for _, in := range x.Inputs() {
				if in.key.Load() == nil && !seen[in] {
					stack = append(stack, in)
				}
			}
			continue
		}
		stack = stack[:len(stack)-1]
		order = append(order, x)
	}
	for _, x := range order {
		x.computeKey()
	}
	r := t.key.Load()
	return r.key, r.err
}

// computeKey computes and caches the key of a thunk whose inputs' keys are
// cached.
func (t *Thunk) computeKey() {
	if t.key.Load() != nil {
		return
	}
	k, err := t.hashKey()
	if err != nil {
		err = fmt.Errorf("%w: %s: %v", ErrUnkeyable, t.Name(), err)
	}
	t.key.CompareAndSwap(nil, &keyResult{k, err})
}

const keyDomain = "cairn/key/v1"

func (t *Thunk) hashKey() (string, error) {
	if t.err != nil {
		return "", t.err
	}
	if t.opts != nil && t.opts.Key != "" {
		if err := checkpoint.ValidateKey(t.opts.Key); err != nil {
			return "", err
		}
		return t.opts.Key, nil
	}
	if !t.fn.stable {
		return "", fmt.Errorf("function %s is a closure or method value: Register it, or set Options.Key", t.fn.name)
	}
	h := sha256.New()
	writeStr(h, keyDomain)
	writeStr(h, t.fn.name)
	writeStr(h, t.fn.version)
	binary.Write(h, binary.LittleEndian, uint32(len(t.args)))
	for i, a := range t.args {
		switch a := a.(type) {
		case *Thunk:
			r := a.key.Load()
			if r == nil || r.err != nil {
				return "", fmt.Errorf("argument %d: input thunk %s has no key", i+1, a.Name())
			}
			h.Write([]byte{'T'})
			writeStr(h, r.key)
		case Chunk:
			if kc, ok := a.(Keyed); ok && kc.Key() != "" {
				h.Write([]byte{'K'})
				writeStr(h, kc.Key())
				continue
			}
			v, err := a.Value(context.Background())
			if err != nil {
				return "", fmt.Errorf("argument %d: %w", i+1, err)
			}
			h.Write([]byte{'V'})
			if err := codec.Fingerprint(h, v); err != nil {
				return "", fmt.Errorf("argument %d: %w", i+1, err)
			}
		default:
			h.Write([]byte{'V'})
			if err := codec.Fingerprint(h, a); err != nil {
				return "", fmt.Errorf("argument %d: %w", i+1, err)
			}
		}
	}
	return keyPrefix(t.fn.name) + "/" + hex.EncodeToString(h.Sum(nil)), nil
}

func writeStr(h hash.Hash, s string) {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
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

// computeKeys returns the store key of every node of g ("" for those not
// stored: opted out, spawned, or without a stable key). Thunks without a
// key are logged once per function.
func computeKeys(g *graph, log *slog.Logger) []string {
	keys := make([]string, len(g.thunks))
	told := map[string]bool{}
	for i, t := range g.thunks {
		if g.external[i] {
			t.Key() // a spawned leaf: its inputs are not in g
		} else {
			t.computeKey() // inputs come first in g.thunks
		}
		r := t.key.Load()
		if r.err != nil {
			if !told[t.fn.name] && !errors.Is(r.err, t.err) {
				told[t.fn.name] = true
				log.Info("cairn: not checkpointing thunks without a stable key", "thunk", t.Name(), "reason", r.err)
			}
			continue
		}
		if g.external[i] || t.fn.noStore || (t.opts != nil && t.opts.NoCheckpoint) {
			continue
		}
		keys[i] = r.key
	}
	return keys
}

// key returns node i's store key, or "".
func (r *runner) key(i int32) string {
	if r.keys == nil {
		return ""
	}
	return r.keys[i]
}
