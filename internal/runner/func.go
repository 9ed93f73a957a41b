package runner

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cairnlabs/cairn/exec"
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

// paramType returns the type that argument i must have.
func (s *signature) paramType(i int) reflect.Type {
	n := len(s.params)
	if s.variadic && i >= n-1 {
		return s.params[n-1].Elem()
	}
	return s.params[i]
}

// Func is a Go function as cairn runs it: its name and version, and how to
// call it. It implements exec.Func. A Func is safe for concurrent use.
type Func struct {
	name     string
	version  string
	fn       reflect.Value
	sig      *signature
	stable   bool // name is stable across builds: registered or a named top-level function
	register bool
	noStore  bool // never stored by automatic checkpoints
	src      srcState
	prefix   atomic.Pointer[string] // keyPrefix(name), made once
	// Owner is the user-facing value wrapping this Func (a *cairn.Func),
	// set once by its maker.
	Owner any
}

// keyPrefix returns the function's name as a key segment, made once.
func (f *Func) keyPrefix() string {
	if p := f.prefix.Load(); p != nil {
		return *p
	}
	p := keyPrefix(f.name)
	f.prefix.Store(&p)
	return p
}

// Name returns the registered name, or the Go symbol.
func (f *Func) Name() string { return f.name }

// Version returns the version ("" if none).
func (f *Func) Version() string { return f.version }

// Registered reports whether f was registered by name.
func (f *Func) Registered() bool { return f.register }

// NoStore reports whether automatic checkpoints skip f's results.
func (f *Func) NoStore() bool { return f.noStore }

// ResultType returns the Go type of the value result, or nil.
func (f *Func) ResultType() reflect.Type { return f.sig.result }

// Call converts args to the parameters' types and calls the function,
// turning a panic into an *exec.PanicError.
func (f *Func) Call(ctx context.Context, args []any) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, &exec.PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	in, err := f.values(args)
	if err != nil {
		return nil, err
	}
	if f.sig.takesCtx {
		in = append([]reflect.Value{reflect.ValueOf(&ctx).Elem()}, in...)
	}
	var out []reflect.Value
	if f.sig.variadic {
		out = f.fn.CallSlice(in)
	} else {
		out = f.fn.Call(in)
	}
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

// values converts argument values to the reflect values the function takes;
// for a variadic function the trailing ones are gathered into a slice.
func (f *Func) values(args []any) ([]reflect.Value, error) {
	sig := f.sig
	n := len(sig.params)
	fixed := n
	if sig.variadic {
		fixed = n - 1
	}
	if len(args) < fixed || (!sig.variadic && len(args) != n) {
		return nil, fmt.Errorf("cairn: %s takes %s, got %d", f.name, plural(n, "argument"), len(args))
	}
	in := make([]reflect.Value, n)
	for i := 0; i < fixed; i++ {
		v, err := convertArg(args[i], sig.params[i], i)
		if err != nil {
			return nil, err
		}
		in[i] = v
	}
	if sig.variadic {
		st := sig.params[n-1]
		rest := len(args) - fixed
		s := reflect.MakeSlice(st, rest, rest)
		for j := 0; j < rest; j++ {
			v, err := convertArg(args[fixed+j], st.Elem(), fixed+j)
			if err != nil {
				return nil, err
			}
			s.Index(j).Set(v)
		}
		in[n-1] = s
	}
	return in, nil
}

func convertArg(x any, want reflect.Type, i int) (reflect.Value, error) {
	v, err := convertValue(x, want)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("cairn: argument %d %w", i+1, err)
	}
	return v, nil
}

// convertValue makes x a value of type want: as is when assignable, nil as
// want's zero when want can be nil, and the []any and map[any]any that a
// List gives as the slice, array or map that want is.
func convertValue(x any, want reflect.Type) (reflect.Value, error) {
	if x == nil {
		if !nillable(want) {
			return reflect.Value{}, fmt.Errorf("is nil, the function wants %s", article(want))
		}
		return reflect.Zero(want), nil
	}
	v := reflect.ValueOf(x)
	if v.Type().AssignableTo(want) {
		return v, nil
	}
	switch xs := x.(type) {
	case []any:
		switch want.Kind() {
		case reflect.Slice:
			s := reflect.MakeSlice(want, len(xs), len(xs))
			for j, e := range xs {
				ev, err := convertValue(e, want.Elem())
				if err != nil {
					return reflect.Value{}, fmt.Errorf("element %d %w", j, err)
				}
				s.Index(j).Set(ev)
			}
			return s, nil
		case reflect.Array:
			if len(xs) != want.Len() {
				return reflect.Value{}, fmt.Errorf("has %d elements, the function wants %v", len(xs), want)
			}
			a := reflect.New(want).Elem()
			for j, e := range xs {
				ev, err := convertValue(e, want.Elem())
				if err != nil {
					return reflect.Value{}, fmt.Errorf("element %d %w", j, err)
				}
				a.Index(j).Set(ev)
			}
			return a, nil
		}
	case map[any]any:
		if want.Kind() == reflect.Map {
			m := reflect.MakeMapWithSize(want, len(xs))
			for k, e := range xs {
				kv, err := convertValue(k, want.Key())
				if err != nil {
					return reflect.Value{}, fmt.Errorf("key %v %w", k, err)
				}
				ev, err := convertValue(e, want.Elem())
				if err != nil {
					return reflect.Value{}, fmt.Errorf("element %v %w", k, err)
				}
				m.SetMapIndex(kv, ev)
			}
			return m, nil
		}
	}
	return reflect.Value{}, fmt.Errorf("is %s, the function wants %s", article(v.Type()), article(want))
}

func nillable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Map, reflect.Func, reflect.Chan:
		return true
	}
	return false
}

// article writes a type with its indefinite article: "an int", "a float64",
// "a []float64".
func article(t reflect.Type) string {
	s := t.String()
	if s == "" {
		return "a value"
	}
	switch s[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + s
	}
	return "a " + s
}

// plural writes n and a noun: "1 argument", "2 arguments".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// FuncOption configures Register.
type FuncOption func(*Func)

// WithVersion sets a registered function's version.
func WithVersion(v string) FuncOption { return func(f *Func) { f.version = v } }

// WithNoStore keeps automatic checkpoints from storing the function's
// results.
func WithNoStore() FuncOption { return func(f *Func) { f.noStore = true } }

var registry struct {
	sync.RWMutex
	byName map[string]*Func
	byPC   map[uintptr]*Func
}

// Register registers f under name; see cairn.Register. It panics on an
// empty or duplicate name or a value that is not a function.
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
	if f == nil {
		return nil, fmt.Errorf("cairn: Register %q: the function is nil", name)
	}
	v := reflect.ValueOf(f)
	sig, err := signatureOf(v.Type())
	if err != nil {
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

// FuncOf turns a Go function into a *Func: its registration if it was
// registered, otherwise an unregistered Func named after its symbol.
func FuncOf(f any) (*Func, error) {
	if f == nil {
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
