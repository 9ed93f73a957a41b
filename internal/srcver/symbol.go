package srcver

import (
	"fmt"
	"go/token"
	"runtime"
	"strings"
)

// A symbol is what a function's Go symbol says of its declaration: a
// function name, or a method name and its receiver's base type.
type symbol struct {
	full string // as runtime.Func.Name gives it: "example.com/p.(*T[...]).M"
	recv string // receiver base type name ("T"); "" for a function
	ptr  bool   // pointer receiver
	name string // function or method name
}

// site is where the binary's line table puts a function.
type site struct {
	sym  symbol
	file string
	line int
}

// siteOf returns the function whose code contains pc, as the outermost
// function at its entry (never a function inlined into it), and where its
// line table puts it.
func siteOf(pc uintptr) (site, error) {
	f := runtime.FuncForPC(pc)
	if f == nil {
		return site{}, &Error{Func: fmt.Sprintf("pc %#x", pc), Kind: ErrUnsupported, Detail: "no Go function contains this program counter"}
	}
	entry := f.Entry()
	// CallersFrames expands inlining; it takes return addresses, hence +1.
	// The frame with a Func is the real function, the others are inlined.
	frames := runtime.CallersFrames([]uintptr{entry + 1})
	var outer runtime.Frame
	for {
		fr, more := frames.Next()
		if fr.Func != nil || !more {
			outer = fr
			break
		}
	}
	name := outer.Function
	if name == "" {
		name = f.Name()
	}
	sym, err := parseSymbol(name)
	if err != nil {
		return site{}, err
	}
	return site{sym: sym, file: outer.File, line: outer.Line}, nil
}

// parseSymbol splits a function's Go symbol into what its declaration must
// show. It accepts "path/pkg.F", "path/pkg.T.M" and "path/pkg.(*T).M", with
// "[...]" after a generic name; function literals ("F.func1"), method values
// ("T.M-fm") and anything else have no declaration of their own.
func parseSymbol(full string) (symbol, error) {
	unsupported := func(detail string) (symbol, error) {
		return symbol{}, &Error{Func: full, Kind: ErrUnsupported, Detail: detail}
	}
	s := strings.ReplaceAll(full, "[...]", "")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return unsupported("the symbol names no package-level declaration")
	}
	s = s[i+1:] // after the package
	if strings.HasSuffix(s, "-fm") {
		return unsupported("it is a method value, which carries its receiver; pass the method expression (T.M) or a top-level function")
	}
	sym := symbol{full: full}
	if rest, ok := strings.CutPrefix(s, "(*"); ok {
		recv, name, ok := strings.Cut(rest, ").")
		if !ok {
			return unsupported("the symbol names no package-level declaration")
		}
		sym.recv, sym.ptr, s = recv, true, name
	} else if recv, name, ok := strings.Cut(s, "."); ok {
		sym.recv, s = recv, name
	}
	sym.name = s
	switch {
	case strings.Contains(s, "."), sym.recv != "" && isLiteralName(s):
		return unsupported("it is a function literal, whose captured variables are not in its source")
	case !token.IsIdentifier(sym.name), sym.recv != "" && !token.IsIdentifier(sym.recv):
		return unsupported("the symbol names no package-level declaration")
	case sym.recv == "" && sym.name == "init":
		return unsupported("it is an init function")
	}
	return sym, nil
}

// isLiteralName reports whether the last part of a symbol is how the
// compiler names a function literal ("func1").
func isLiteralName(s string) bool {
	digits, ok := strings.CutPrefix(s, "func")
	if !ok || digits == "" {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
