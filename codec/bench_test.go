package codec

import (
	"crypto/sha256"
	"io"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// benchSizes are the payload sizes of the slice benchmarks. The 128 MiB
// case allocates 128-256 MiB, so it is skipped under -short; benchmarks
// only run under -bench in any case, so plain go test never pays for it.
var benchSizes = []struct {
	name  string
	bytes int
}{
	{"8MiB", 8 << 20},
	{"128MiB", 128 << 20},
}

var sink any

func benchFloats(b *testing.B, size int) []float64 {
	if size > 8<<20 && testing.Short() {
		b.Skip("skipping the 128 MiB case under -short")
	}
	x := make([]float64, size/8)
	for i := range x {
		x[i] = float64(i) * 0.5
	}
	return x
}

// portable runs f on the big-endian code path.
func portable(f func()) {
	if !hostLE {
		f()
		return
	}
	hostLE = false
	defer func() { hostLE = true }()
	f()
}

func BenchmarkMarshalFloat64s(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			x := benchFloats(b, s.bytes)
			b.SetBytes(int64(s.bytes))
			for b.Loop() {
				_, data, _ := Marshal(x) // zero copy: constant time
				sink = data
			}
		})
		b.Run(s.name+"/portable", func(b *testing.B) {
			x := benchFloats(b, s.bytes)
			b.SetBytes(int64(s.bytes))
			portable(func() {
				for b.Loop() {
					_, data, _ := Marshal(x)
					sink = data
				}
			})
		})
	}
}

func BenchmarkUnmarshalFloat64s(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name+"/aligned", func(b *testing.B) {
			_, data, _ := Marshal(benchFloats(b, s.bytes))
			b.SetBytes(int64(s.bytes))
			for b.Loop() {
				v, _ := Unmarshal(Float64s, data, nil) // aliases data: constant time
				sink = v
			}
		})
		b.Run(s.name+"/misaligned", func(b *testing.B) {
			_, data, _ := Marshal(benchFloats(b, s.bytes))
			data = misaligned(data)
			b.SetBytes(int64(s.bytes))
			for b.Loop() {
				v, _ := Unmarshal(Float64s, data, nil) // one memmove
				sink = v
			}
		})
		b.Run(s.name+"/portable", func(b *testing.B) {
			_, data, _ := Marshal(benchFloats(b, s.bytes))
			b.SetBytes(int64(s.bytes))
			portable(func() {
				for b.Loop() {
					v, _ := Unmarshal(Float64s, data, nil)
					sink = v
				}
			})
		})
	}
}

func BenchmarkMarshalFloat64(b *testing.B) {
	b.SetBytes(8)
	x := 3.25
	for b.Loop() {
		_, data, _ := Marshal(x)
		sink = data
	}
}

func BenchmarkUnmarshalFloat64(b *testing.B) {
	_, data, _ := Marshal(3.25)
	typ := reflect.TypeFor[float64]()
	b.SetBytes(8)
	for b.Loop() {
		v, _ := Unmarshal(Float64, data, typ)
		sink = v
	}
}

func BenchmarkDense(b *testing.B) {
	const n = 1024 // 8 MiB of elements
	m := mat.NewDense(n, n, benchFloats(b, 8<<20))
	b.Run("Marshal", func(b *testing.B) {
		b.SetBytes(8 * n * n)
		for b.Loop() {
			_, data, _ := Marshal(m)
			sink = data
		}
	})
	b.Run("MarshalStridedView", func(b *testing.B) {
		v := m.Slice(0, n, 0, n-1)
		b.SetBytes(8 * n * (n - 1))
		for b.Loop() {
			_, data, _ := Marshal(v)
			sink = data
		}
	})
	b.Run("Unmarshal", func(b *testing.B) {
		_, data, _ := Marshal(m)
		data = misaligned(data)
		b.SetBytes(8 * n * n)
		for b.Loop() {
			v, _ := Unmarshal(Dense, data, nil)
			sink = v
		}
	})
}

func BenchmarkFingerprintFloat64s(b *testing.B) {
	x := benchFloats(b, 8<<20)
	b.Run("discard", func(b *testing.B) {
		b.SetBytes(8 << 20)
		for b.Loop() {
			_ = Fingerprint(io.Discard, x)
		}
	})
	b.Run("sha256", func(b *testing.B) {
		b.SetBytes(8 << 20)
		h := sha256.New()
		for b.Loop() {
			h.Reset()
			_ = Fingerprint(h, x)
		}
	})
}

func BenchmarkFingerprintStruct(b *testing.B) {
	v := fpStruct{Name: "bench", Vals: []float64{1, 2, 3}, M: map[string]int{"a": 1, "b": 2}, P: &fpStruct{Name: "child"}}
	h := sha256.New()
	for b.Loop() {
		h.Reset()
		_ = Fingerprint(h, v)
	}
}

func BenchmarkGobStruct(b *testing.B) {
	v := gobThing{Name: "bench", Values: map[string][]float64{"x": make([]float64, 128)}}
	typ := reflect.TypeFor[gobThing]()
	_, data, _ := Marshal(v)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, d, _ := Marshal(v)
		out, _ := Unmarshal(Gob, d, typ)
		sink = out
	}
}

// BenchmarkMarshalGobStruct is Marshal alone of a small struct that takes
// the Gob codec, the path that checks faithfulness before encoding.
func BenchmarkMarshalGobStruct(b *testing.B) {
	v := gobThing{Name: "bench", Values: map[string][]float64{"x": {1, 2, 3}}, Any: 2.5}
	for b.Loop() {
		_, d, _ := Marshal(v)
		sink = d
	}
}

// BenchmarkMarshalRegistered is Marshal of a type with a Register'ed raw
// codec.
func BenchmarkMarshalRegistered(b *testing.B) {
	v := point{1, 2}
	for b.Loop() {
		_, d, _ := Marshal(v)
		sink = d
	}
}

// BenchmarkCheckValueGobStruct is the check that Marshal runs before a
// value takes the Gob codec, alone: BenchmarkMarshalGobStruct's value,
// whose type holds an interface and so is walked.
func BenchmarkCheckValueGobStruct(b *testing.B) {
	v := gobThing{Name: "bench", Values: map[string][]float64{"x": {1, 2, 3}}, Any: 2.5}
	for b.Loop() {
		_ = CheckValue(v)
	}
}
