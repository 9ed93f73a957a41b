package cairn

// Key returns the thunk's checkpoint key: Options.Key if set, otherwise a
// hash of its function's name and version and of its inputs — literal
// arguments by content, thunk arguments by their own keys (a Merkle chain),
// chunk arguments by the key of the thunk that made them or by content.
// Change an input or bump a function's version and the key changes, for
// this thunk and every thunk downstream. A function with no explicit
// version is keyed by its source code too, where the source is on disk:
// editing its body, or a same-package function it calls, changes the key.
// The key has the form "<function>/<64 hex digits>".
//
// A thunk has no key (ErrUnkeyable) if its function is a closure or method
// value that was not registered (its name does not show what it captured),
// if an input cannot be hashed deterministically (a func, a channel), or if
// it was not made by Delayed.
func (t *Thunk) Key() (string, error) { return t.n.Key() }
