package cairn

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
)

var (
	ctxType = reflect.TypeFor[context.Context]()
	errType = reflect.TypeFor[error]()
)

// signature is what cairn knows of a Go function's type: whether it takes a
// context first, whether it returns an error last, and its other
// parameters and result.
type signature struct {
	typ      reflect.Type
	takesCtx bool
	params   []reflect.Type // without the context; the last is a slice if variadic
	variadic bool
	result   reflect.Type // nil if the function returns only an error, or nothing
	hasErr   bool
}

var sigCache sync.Map // reflect.Type -> *signature or error

// signatureOf analyses a function type once and caches the answer.
func signatureOf(t reflect.Type) (*signature, error) {
	if v, ok := sigCache.Load(t); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*signature), nil
	}
	s, err := analyse(t)
	if err != nil {
		sigCache.Store(t, err)
		return nil, err
	}
	sigCache.Store(t, s)
	return s, nil
}

func analyse(t reflect.Type) (*signature, error) {
	if t == nil || t.Kind() != reflect.Func {
		return nil, fmt.Errorf("cairn: %v is not a function: pass a func value to Delayed or Register", t)
	}
	s := &signature{typ: t, variadic: t.IsVariadic()}
	in := 0
	if t.NumIn() > 0 && t.In(0) == ctxType {
		s.takesCtx = true
		in = 1
	}
	for ; in < t.NumIn(); in++ {
		s.params = append(s.params, t.In(in))
	}
	switch t.NumOut() {
	case 0:
	case 1:
		if t.Out(0) == errType {
			s.hasErr = true
		} else {
			s.result = t.Out(0)
		}
	case 2:
		if t.Out(1) != errType {
			return nil, fmt.Errorf("cairn: function %v returns two values; the second must be error", t)
		}
		s.result, s.hasErr = t.Out(0), true
	default:
		return nil, fmt.Errorf("cairn: function %v returns %d values; return one value and an optional error (use a struct for several)", t, t.NumOut())
	}
	return s, nil
}

// Func is a function with a stable name and version, as made by Register.
// Thunks of a Func can be checkpointed under automatic keys and, once a
// cluster executor is used, run in other processes (where the same binary
// registered the same name). A Func is safe for concurrent use.
type Func struct {
	name     string
	version  string
	fn       reflect.Value
	sig      *signature
	stable   bool // name is stable across builds: registered or a named top-level function
	register bool
	noStore  bool // never stored by Config.Checkpoints
}

// Name returns the function's registered name (or, for a function that was
// not registered, its Go symbol name).
func (f *Func) Name() string { return f.name }

// Version returns the function's version ("" if none was given).
func (f *Func) Version() string { return f.version }

// Registered reports whether f was made by Register.
func (f *Func) Registered() bool { return f.register }

// ResultType returns the Go type of the function's value result, or nil if
// it returns only an error.
func (f *Func) ResultType() reflect.Type { return f.sig.result }

// Call calls the function with ctx and already-resolved arguments. Go
// panics inside the function are not recovered here.
func (f *Func) Call(ctx context.Context, args []reflect.Value) (any, error) {
	if f.sig.takesCtx {
		args = append([]reflect.Value{reflect.ValueOf(&ctx).Elem()}, args...)
	}
	var out []reflect.Value
	if f.sig.variadic {
		out = f.fn.CallSlice(args)
	} else {
		out = f.fn.Call(args)
	}
	var v any
	if f.sig.result != nil {
		v = out[0].Interface()
	}
	if f.sig.hasErr {
		if e := out[len(out)-1]; !e.IsNil() {
			return v, e.Interface().(error)
		}
	}
	return v, nil
}

// FuncOption configures Register.
type FuncOption func(*Func)

// Version sets a registered function's version. Bump it when the function's
// behaviour changes: thunks of the new version get new checkpoint keys, so
// exactly they and their dependents recompute.
func Version(v string) FuncOption { return func(f *Func) { f.version = v } }

// NoCheckpoint marks a registered function whose results are cheaper to
// compute again than to store and read back — generating a seeded random
// block, say. Config.Checkpoints never stores its thunks; they still have
// keys, so the thunks downstream of them are checkpointed as usual.
func NoCheckpoint() FuncOption { return func(f *Func) { f.noStore = true } }

var registry struct {
	sync.RWMutex
	byName map[string]*Func
	byPC   map[uintptr]*Func
}

// Register gives the function f a stable name (and, with Version, a
// version) and returns it as a *Func that Delayed accepts. Passing f itself
// to Delayed afterwards finds the registration too. Register is meant for
// package initialisation; like database/sql.Register it panics if name is
// empty or already registered, or if f is not a function.
func Register(name string, f any, opts ...FuncOption) *Func {
	fn, err := newFunc(name, f, opts...)
	if err != nil {
		panic(err)
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.byName == nil {
		registry.byName = make(map[string]*Func)
		registry.byPC = make(map[uintptr]*Func)
	}
	if _, dup := registry.byName[name]; dup {
		panic(fmt.Sprintf("cairn: Register called twice for function %q", name))
	}
	registry.byName[name] = fn
	// Closures and method values of one literal share a code pointer: only
	// a function whose symbol names it alone may be found by pointer.
	if _, stable := symbolName(fn.fn.Pointer()); stable {
		registry.byPC[fn.fn.Pointer()] = fn
	}
	return fn
}

func newFunc(name string, f any, opts ...FuncOption) (*Func, error) {
	if name == "" {
		return nil, fmt.Errorf("cairn: Register needs a non-empty name")
	}
	v := reflect.ValueOf(f)
	sig, err := signatureOf(v.Type())
	if f == nil || err != nil {
		return nil, fmt.Errorf("cairn: Register %q: %w", name, err)
	}
	fn := &Func{name: name, fn: v, sig: sig, stable: true, register: true}
	for _, o := range opts {
		o(fn)
	}
	return fn, nil
}

// Lookup returns the function registered under name, if any.
func Lookup(name string) (*Func, bool) {
	registry.RLock()
	defer registry.RUnlock()
	f, ok := registry.byName[name]
	return f, ok
}

// funcOf turns what Delayed was given into a *Func: a *Func as is; a
// registered Go function as its registration; any other function as an
// unregistered Func named after its symbol.
func funcOf(f any) (*Func, error) {
	switch f := f.(type) {
	case *Func:
		if f == nil {
			return nil, fmt.Errorf("cairn: Delayed got a nil *Func")
		}
		return f, nil
	case nil:
		return nil, fmt.Errorf("cairn: Delayed got a nil function")
	}
	v := reflect.ValueOf(f)
	if v.Kind() != reflect.Func {
		return nil, fmt.Errorf("cairn: Delayed got a %T, not a function", f)
	}
	if v.IsNil() {
		return nil, fmt.Errorf("cairn: Delayed got a nil %T", f)
	}
	pc := v.Pointer()
	registry.RLock()
	fn, ok := registry.byPC[pc]
	registry.RUnlock()
	if ok && fn.fn.Type() == v.Type() {
		return fn, nil
	}
	sig, err := signatureOf(v.Type())
	if err != nil {
		return nil, err
	}
	name, stable := symbolName(pc)
	return &Func{name: name, fn: v, sig: sig, stable: stable}, nil
}

var symbolCache sync.Map // uintptr -> symbol

type symbol struct {
	name   string
	stable bool
}

// symbolName returns the Go symbol of the function at pc and whether that
// name identifies the code alone. Closures ("pkg.f.func1") and method values
// ("pkg.T.M-fm") capture state the name does not show, so they are not
// stable: two closures from one literal share a name but not their values.
func symbolName(pc uintptr) (string, bool) {
	if s, ok := symbolCache.Load(pc); ok {
		s := s.(symbol)
		return s.name, s.stable
	}
	name := "func"
	if f := runtime.FuncForPC(pc); f != nil {
		name = f.Name()
	}
	// Generic instantiations all print as "pkg.F[...]" and functions made
	// by reflect.MakeFunc as its stub: the name does not say which, so it
	// cannot key them.
	stable := !strings.HasSuffix(name, "-fm") && !isClosureName(name) && !strings.Contains(name, "[...]") &&
		name != "reflect.makeFuncStub" && name != "func"
	symbolCache.Store(pc, symbol{name, stable})
	return name, stable
}

// isClosureName reports whether a symbol names a function literal, whose
// runtime names end in ".funcN" or ".funcN.M" (inlined copies).
func isClosureName(name string) bool {
	i := strings.LastIndex(name, ".func")
	if i < 0 {
		return false
	}
	rest := name[i+len(".func"):]
	if rest == "" {
		return false
	}
	for _, c := range rest {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}
