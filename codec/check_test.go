package codec

import (
	"bytes"
	"encoding/gob"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"gonum.org/v1/gonum/mat"
)

// Types the codec cannot carry faithfully, and some it can.
type (
	// Item is the user's case: a result whose unexported field gob drops.
	Item struct {
		ID   string
		name string
	}
	Plain   struct{ A int } // faithful, never gob.Register'ed
	Wrapper struct{ In *Item }
	inner   struct{ A int }
	Outer   struct {
		inner // embedded under an unexported name: gob drops it
		B     int
	}
	WithFunc  struct{ F func() }
	WithChan  struct{ C *chan int }
	OnlyBlank struct{ _ int }
	Blank     struct {
		_ int
		A int
	}
	Empty struct{}
	Box   struct{ V any }
	Node  struct {
		A    int
		Next *Node
	}
	recPtr *recPtr

	// Marshaler halves: gob could write these but not read them back, or
	// the other way round.
	EncOnly struct{ a int }
	DecOnly struct{ A int }
	Mixed   struct{ a int }

	// Complete marshalers: faithful whatever their fields.
	BinPair struct{ a int }
	GobPair struct{ a int }

	// secret has unexported fields but a Register'ed raw codec.
	secret struct{ a byte }
)

func (e EncOnly) MarshalBinary() ([]byte, error)  { return []byte{byte(e.a)}, nil }
func (d *DecOnly) GobDecode([]byte) error         { return nil }
func (m Mixed) GobEncode() ([]byte, error)        { return []byte{byte(m.a)}, nil }
func (m *Mixed) UnmarshalBinary(b []byte) error   { m.a = int(b[0]); return nil }
func (p BinPair) MarshalBinary() ([]byte, error)  { return []byte{byte(p.a)}, nil }
func (p *BinPair) UnmarshalBinary(b []byte) error { p.a = int(b[0]); return nil }
func (p GobPair) GobEncode() ([]byte, error)      { return []byte{byte(p.a)}, nil }
func (p *GobPair) GobDecode(b []byte) error       { p.a = int(b[0]); return nil }

const testSecretID ID = 204

func init() {
	Register(testSecretID, "test.secret",
		func(s secret) ([]byte, error) { return []byte{s.a}, nil },
		func(b []byte) (secret, error) {
			if len(b) != 1 {
				return secret{}, errors.New("want 1 byte")
			}
			return secret{b[0]}, nil
		})
	gob.Register(GobPair{})
	gob.Register(anyList(nil))
	gob.Register(anyMap(nil))
}

// anyList and anyMap can hold themselves.
type (
	anyList []any
	anyMap  map[string]any
)

type unfaithfulCase struct {
	name    string
	v       any
	path    string
	at      reflect.Type
	fix     string // a substring of Fix
	dynamic bool   // only a value check sees it: Check(TypeOf(v)) passes
}

func unfaithfulCases() []unfaithfulCase {
	x := 1
	var rp recPtr
	rp = &rp
	cyc := &Node{A: 1}
	cyc.Next = &Node{A: 2, Next: cyc}
	loop := make(anyList, 1)
	loop[0] = loop
	m := anyMap{}
	m["self"] = m
	itemT := reflect.TypeFor[Item]()
	const exportFix = "export the field, or implement encoding.BinaryMarshaler and encoding.BinaryUnmarshaler, or gob.GobEncoder and gob.GobDecoder, on codec.Item"
	return []unfaithfulCase{
		{"unexported field", Item{"a", "x"}, "codec.Item.name", itemT, exportFix, false},
		{"slice element", []Item{{}}, "[]codec.Item[...].name", itemT, exportFix, false},
		{"array element", [2]Item{}, "[2]codec.Item[...].name", itemT, exportFix, false},
		{"map value", map[string]Item{}, "map[string]codec.Item[...].name", itemT, exportFix, false},
		{"map key", map[Item]int{{}: 1}, "map[codec.Item]int[key].name", itemT, exportFix, false},
		{"pointer", &Item{}, "(*codec.Item).name", itemT, exportFix, false},
		{"pointer field", Wrapper{&Item{}}, "codec.Wrapper.In.name", itemT, exportFix, false},
		{"embedded unexported type", Outer{inner{1}, 2}, "codec.Outer.inner", reflect.TypeFor[Outer](), "export the embedded type", false},
		{"func field", WithFunc{}, "codec.WithFunc.F", reflect.TypeFor[WithFunc](), "leave the field out", false},
		{"chan pointer field", WithChan{}, "codec.WithChan.C", reflect.TypeFor[WithChan](), "leave the field out", false},
		{"func", func() {}, "func()", reflect.TypeFor[func()](), "leave it out", false},
		{"chan", make(chan int), "chan int", reflect.TypeFor[chan int](), "leave it out", false},
		{"unsafe pointer", unsafe.Pointer(&x), "unsafe.Pointer", reflect.TypeFor[unsafe.Pointer](), "leave it out", false},
		{"func element", []func(){nil}, "[]func()[...]", reflect.TypeFor[func()](), "leave it out", false},
		{"only blank fields", OnlyBlank{}, "codec.OnlyBlank", reflect.TypeFor[OnlyBlank](), "exported field", false},
		{"MarshalBinary without UnmarshalBinary", EncOnly{1}, "codec.EncOnly", reflect.TypeFor[EncOnly](), "UnmarshalBinary", false},
		{"GobDecode without GobEncode", DecOnly{1}, "codec.DecOnly", reflect.TypeFor[DecOnly](), "GobEncode", false},
		{"GobEncode with UnmarshalBinary", Mixed{1}, "codec.Mixed", reflect.TypeFor[Mixed](), "GobDecode", false},
		{"recursive pointer type", rp, "codec.recPtr", reflect.TypeFor[recPtr](), "point to a struct", false},
		{"registered type nested", []secret{{1}}, "[]codec.secret[...].a", reflect.TypeFor[secret](), "export the field", false},
		{"interface holding an unfaithful type", Box{Item{}}, "codec.Box.V.(codec.Item).name", itemT, exportFix, true},
		{"interface holding an unregistered type", Box{Plain{1}}, "codec.Box.V.(codec.Plain)", reflect.TypeFor[Plain](), "gob.Register", true},
		{"interface holding a nil pointer", Box{(*GobPair)(nil)}, "codec.Box.V.(*codec.GobPair)", reflect.TypeFor[*GobPair](), "nil interface", true},
		{"interface holding a func", []any{func() {}}, "[]interface {}[...].(func())", reflect.TypeFor[func()](), "leave it out", true},
		{"cyclic pointers", cyc, "(*codec.Node).Next.Next", reflect.TypeFor[*Node](), "break the cycle", true},
		{"cyclic slice", loop, "codec.anyList[...].(codec.anyList)", reflect.TypeFor[anyList](), "break the cycle", true},
		{"cyclic map", m, "codec.anyMap[...].(codec.anyMap)", reflect.TypeFor[anyMap](), "break the cycle", true},
	}
}

func TestMarshalRefusesUnfaithful(t *testing.T) {
	for _, c := range unfaithfulCases() {
		t.Run(c.name, func(t *testing.T) {
			id, data, err := Marshal(c.v)
			if !errors.Is(err, ErrUnfaithful) {
				t.Fatalf("Marshal = %v, %x, %v; want an error matching ErrUnfaithful", id, data, err)
			}
			var ue *UnfaithfulError
			if !errors.As(err, &ue) {
				t.Fatalf("Marshal error %T is not an *UnfaithfulError", err)
			}
			if ue.Type != reflect.TypeOf(c.v) || ue.Path != c.path || ue.At != c.at || !strings.Contains(ue.Fix, c.fix) {
				t.Errorf("got Type %v, Path %q, At %v, Fix %q;\nwant Type %v, Path %q, At %v, Fix containing %q",
					ue.Type, ue.Path, ue.At, ue.Fix, reflect.TypeOf(c.v), c.path, c.at, c.fix)
			}
			if msg := err.Error(); !strings.Contains(msg, ue.Path) || !strings.Contains(msg, ue.Fix) || !strings.HasPrefix(msg, "codec: ") {
				t.Errorf("message %q names neither the path nor the fix", msg)
			}
			if cv := CheckValue(c.v); cv == nil || cv.Error() != err.Error() {
				t.Errorf("CheckValue = %v; want Marshal's error %v", cv, err)
			}
			switch ct := Check(reflect.TypeOf(c.v)); {
			case c.dynamic && ct != nil:
				t.Errorf("Check(%v) = %v; a static check cannot see inside interfaces", reflect.TypeOf(c.v), ct)
			case !c.dynamic && (ct == nil || ct.Error() != err.Error()):
				t.Errorf("Check(%v) = %v; want Marshal's error %v", reflect.TypeOf(c.v), ct, err)
			}
		})
	}
}

// faithfulValues round-trip through Marshal and Unmarshal as they were
// (reflect.DeepEqual, which cannot see pointer sharing). Those under
// "nil ..." are nils of types that Check refuses: a nil carries nothing.
func faithfulValues() map[string]any {
	shared := &Plain{7}
	deep := &Node{}
	for i := range 3000 {
		deep = &Node{A: i, Next: deep}
	}
	big1, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	return map[string]any{
		"empty struct":              Empty{},
		"blank field":               Blank{A: 1},
		"complete binary pair":      BinPair{3},
		"complete gob pair":         []GobPair{{1}, {2}},
		"registered gob interface":  Box{GobPair{4}},
		"basic type in interface":   Box{2.5},
		"nil interface":             Box{},
		"registered type at top":    secret{9},
		"nil func":                  (func())(nil),
		"nil pointer to unfaithful": (*Item)(nil),
		"nil slice of unfaithful":   []Item(nil),
		"time and big.Int": struct {
			T time.Time
			B *big.Int
		}{time.Unix(1e9, 5).UTC(), big1},
		"matrix field":    struct{ M *mat.Dense }{mat.NewDense(1, 2, []float64{1, 2})},
		"shared pointers": []*Plain{shared, shared},
		"deep list":       deep,
		"recursive type":  gobThing{Name: "a", Next: &gobThing{Name: "b", Any: []float64{1}}},
	}
}

func TestMarshalAcceptsFaithful(t *testing.T) {
	for name, v := range faithfulValues() {
		t.Run(name, func(t *testing.T) {
			if err := Check(reflect.TypeOf(v)); err != nil && !strings.HasPrefix(name, "nil ") {
				t.Errorf("Check: %v", err)
			}
			if err := CheckValue(v); err != nil {
				t.Fatalf("CheckValue: %v", err)
			}
			id, data, err := Marshal(v)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			got, err := Unmarshal(id, bytes.Clone(data), reflect.TypeOf(v))
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !reflect.DeepEqual(got, v) {
				t.Fatalf("got %#v, want %#v", got, v)
			}
		})
	}
}

// TestAcceptedLosses pins the documented losses that the codec accepts
// rather than refuses. Gob writes what a pointer points to, so two pointers
// to one value come back as two equal values (results are immutable, so
// sharing is not observable by well-behaved code); and gob widens float32s
// to float64s, which quiets a signalling NaN.
func TestAcceptedLosses(t *testing.T) {
	shared := &Plain{7}
	id, data, err := Marshal([]*Plain{shared, shared})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Unmarshal(id, bytes.Clone(data), reflect.TypeFor[[]*Plain]())
	if err != nil {
		t.Fatal(err)
	}
	got := v.([]*Plain)
	if *got[0] != *shared || *got[1] != *shared || got[0] == got[1] {
		t.Fatalf("got %v, %v (same pointer: %v); want two distinct copies of %v", got[0], got[1], got[0] == got[1], *shared)
	}

	type f32 struct{ X float32 }
	snan32 := math.Float32frombits(0x7f800001)
	id, data, err = Marshal(f32{snan32})
	if err != nil {
		t.Fatal(err)
	}
	v, err = Unmarshal(id, bytes.Clone(data), reflect.TypeFor[f32]())
	if err != nil {
		t.Fatal(err)
	}
	if bits := math.Float32bits(v.(f32).X); bits != 0x7fc00001 {
		t.Fatalf("float32 signalling NaN came back as %#x; the package documentation says %#x (quieted)", bits, 0x7fc00001)
	}
}

// TestCheckRegisteredAtTopOnly: a Register'ed raw codec makes its type
// faithful at the top level, where Marshal uses it; inside a gob value gob
// encodes the type itself.
func TestCheckRegisteredAtTopOnly(t *testing.T) {
	if err := Check(reflect.TypeFor[secret]()); err != nil {
		t.Errorf("Check(secret) = %v; a Register'ed type is faithful", err)
	}
	if err := Check(reflect.TypeFor[[]secret]()); !errors.Is(err, ErrUnfaithful) {
		t.Errorf("Check([]secret) = %v; want ErrUnfaithful", err)
	}
}

func TestCheckCachedAndConcurrent(t *testing.T) {
	type fresh struct {
		A []map[string]*Plain
		b int
	}
	typ := reflect.TypeFor[fresh]()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = Check(typ) })
	}
	wg.Wait()
	for _, err := range errs {
		if err == nil || err.Error() != errs[0].Error() {
			t.Fatalf("concurrent Checks disagree: %v, %v", err, errs[0])
		}
	}
	if _, ok := checks.Load(typ); !ok {
		t.Fatal("Check did not cache its result")
	}
	ok := reflect.TypeFor[map[string][]Plain]()
	_ = Check(ok)
	if n := testing.AllocsPerRun(100, func() { _ = Check(ok) }); n != 0 {
		t.Errorf("a cached Check of a faithful type allocates %v times", n)
	}
	// The error is the caller's own: changing it does not change the next.
	var ue *UnfaithfulError
	errors.As(Check(typ), &ue)
	ue.Path = "changed"
	if err := Check(typ); strings.Contains(err.Error(), "changed") {
		t.Error("Check returned a shared, mutable error")
	}
}

// TestUnmarshalRefusesUnfaithfulType: gob data for a type that Marshal
// refuses was written by an older cairn that dropped fields silently; it is
// refused rather than returned without them.
func TestUnmarshalRefusesUnfaithfulType(t *testing.T) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(Item{ID: "ITEM00", name: "loaded item00"}); err != nil {
		t.Fatal(err)
	}
	v, err := Unmarshal(Gob, buf.Bytes(), reflect.TypeFor[Item]())
	if !errors.Is(err, ErrUnfaithful) {
		t.Fatalf("Unmarshal = %#v, %v; want an error matching ErrUnfaithful", v, err)
	}
}

func TestUnfaithfulPathElidesLongCycles(t *testing.T) {
	head := &Node{}
	tail := head
	for range 100 {
		tail.Next = &Node{}
		tail = tail.Next
	}
	tail.Next = head
	err := CheckValue(head)
	var ue *UnfaithfulError
	if !errors.As(err, &ue) {
		t.Fatalf("CheckValue(cycle) = %v", err)
	}
	if len(ue.Path) > 200 || !strings.Contains(ue.Path, "…") {
		t.Errorf("path %q: want an elided path under 200 bytes", ue.Path)
	}
}
