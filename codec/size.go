package codec

import (
	"fmt"
	"reflect"

	"gonum.org/v1/gonum/mat"
)

// SizeHint returns the length of the bytes Marshal would return for v, when
// it can tell without encoding v: for nil, numbers, strings, numeric and
// bool slices, gonum matrices and vectors, and types registered with a
// size (RegisterSize). Otherwise it returns -1 (encode to know). Callers
// that keep values and send them later (a cluster worker) use it to decide
// without paying for an encoding they may never need.
func SizeHint(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case bool, int8, uint8:
		return 1
	case int16, uint16:
		return 2
	case int32, uint32, float32:
		return 4
	case int, uint, int64, uint64, float64, complex64:
		return 8
	case complex128:
		return 16
	case string:
		return int64(len(x))
	case []byte:
		return int64(len(x))
	case []float64:
		return 8 * int64(len(x))
	case []float32:
		return 4 * int64(len(x))
	case []int64:
		return 8 * int64(len(x))
	case []int32:
		return 4 * int64(len(x))
	case []int16:
		return 2 * int64(len(x))
	case []int8:
		return int64(len(x))
	case []uint64:
		return 8 * int64(len(x))
	case []uint32:
		return 4 * int64(len(x))
	case []uint16:
		return 2 * int64(len(x))
	case []int, []uint:
		return 8 * int64(reflect.ValueOf(x).Len())
	case []bool:
		return int64(len(x))
	case []complex128:
		return 16 * int64(len(x))
	case []complex64:
		return 8 * int64(len(x))
	case *mat.Dense:
		if x == nil {
			return 0
		}
		if x.IsEmpty() {
			return denseHeader
		}
		r, c := x.Dims()
		return denseHeader + 8*int64(r)*int64(c)
	case *mat.VecDense:
		if x == nil {
			return 0
		}
		return 8 + 8*int64(x.Len())
	}
	if e := lookupType(reflect.TypeOf(v)); e != nil && e.size != nil {
		n := int64(-1)
		if err := safeCall(e.name+" size", func() error { n = e.size(v); return nil }); err != nil {
			return -1
		}
		return n
	}
	return -1
}

// RegisterSize tells SizeHint the size of the encoding of a type registered
// with Register, without encoding it; size must return exactly the length
// of the registered encoder's output. Like Register it is meant for package
// init; it panics if T is not registered.
func RegisterSize[T any](size func(T) int64) {
	t := reflect.TypeFor[T]()
	regMu.Lock()
	defer regMu.Unlock()
	old := reg.Load()
	var e *extension
	if old != nil {
		e = old.byType[t]
	}
	if e == nil {
		panic(fmt.Sprintf("codec: RegisterSize for %v: register the type first", t))
	}
	ne := *e
	ne.size = func(v any) int64 { return size(v.(T)) }
	r := &registry{byID: map[ID]*extension{}, byType: map[reflect.Type]*extension{}, byName: map[string]*extension{}}
	for k, x := range old.byID {
		if x == e {
			x = &ne
		}
		r.byID[k] = x
		r.byType[x.typ] = x
		r.byName[x.name] = x
	}
	reg.Store(r)
}
