package srcver

import (
	"errors"
	"strings"
)

// The three reasons a function has no source digest. Every error from
// [Digest] matches exactly one of them with errors.Is, and is an [*Error].
var (
	// ErrNoSource means the function's source cannot be read here: the
	// binary was built elsewhere or with -trimpath, or the source was moved,
	// removed, or no longer parses.
	ErrNoSource = errors.New("srcver: source not available")
	// ErrStale means the source on disk is not what the binary was built
	// from: the declaration is no longer where the binary's line table puts
	// it, or a file it was read from is newer than the executable.
	ErrStale = errors.New("srcver: source changed since the binary was built")
	// ErrUnsupported means the function has no declaration of its own to
	// digest: a function literal, a method value, a compiler-generated
	// wrapper, or a function whose body is not Go (assembly, go:linkname).
	ErrUnsupported = errors.New("srcver: no declaration to digest")
)

// Error says why a function has no source digest. The caller is expected to
// warn once per function and key it by its name alone, so the message names
// the function and the cause, and says how to pin a version by hand.
type Error struct {
	// Func is the function's Go symbol, as runtime.Func.Name gives it.
	Func string
	// Kind is ErrNoSource, ErrStale or ErrUnsupported.
	Kind error
	// Detail says what was found, in a clause without a trailing period.
	Detail string
	// Err is the underlying error (from the file system or the parser), or
	// nil.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("srcver: ")
	b.WriteString(e.Func)
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Kind.Error(), "srcver: "))
	b.WriteString(": ")
	b.WriteString(e.Detail)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	b.WriteString("; ")
	if e.Kind == ErrStale {
		b.WriteString("rebuild, or ")
	}
	b.WriteString(`pin its version with cairn.Register(name, f, cairn.Version("1")) and bump it when the code changes`)
	return b.String()
}

// Unwrap returns the kind and the underlying error, for errors.Is and
// errors.As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}
