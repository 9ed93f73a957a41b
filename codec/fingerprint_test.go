package codec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"testing"
	"time"
	"unsafe"

	"gonum.org/v1/gonum/mat"
)

func fp(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Fingerprint(&b, v); err != nil {
		t.Fatalf("Fingerprint(%#v): %v", v, err)
	}
	return b.Bytes()
}

type fpStruct struct {
	Name  string
	Vals  []float64
	M     map[string]int
	P     *fpStruct
	Any   any
	T     time.Time
	F     func() // nil is fine
	small float32
}

func TestFingerprintDistinguishes(t *testing.T) {
	groups := [][]any{
		{int64(1), float64(1), int(1), uint(1), int32(1), celsius(1), "1", []byte("1"), true},
		{0.0, negZ, math.NaN(), nan1},
		{[]float64(nil), []float64{}, []float64{0}, vec{}, []celsius{}},
		{"ab", "ab\x00", ""},
		{[]string{"a", "b"}, []string{"ab"}, []string{"a", "b", ""}},
		{map[string]int{"a": 1}, map[string]int{"a": 2}, map[string]int{}, map[string]int(nil)},
		{fpStruct{Name: "x"}, fpStruct{Name: "x", small: 1}, fpStruct{Name: "x", Any: 1}, fpStruct{Name: "x", Any: int8(1)}},
		{(*int)(nil), new(int), nil},
		{mat.NewDense(1, 2, []float64{1, 2}), mat.NewDense(2, 1, []float64{1, 2}), mat.NewVecDense(2, []float64{1, 2})},
	}
	for _, g := range groups {
		seen := map[string]any{}
		for _, v := range g {
			k := string(fp(t, v))
			if prev, ok := seen[k]; ok {
				t.Errorf("%#v and %#v have the same fingerprint", prev, v)
			}
			seen[k] = v
		}
	}
}

func TestFingerprintEqualValues(t *testing.T) {
	bothEndians(t, func(t *testing.T) {
		// Maps built in different orders.
		a, b := map[float64]string{}, map[float64]string{}
		for i := range 100 {
			a[float64(i)] = "v"
			b[float64(99-i)] = "v"
		}
		if !bytes.Equal(fp(t, a), fp(t, b)) {
			t.Error("equal maps, different fingerprints")
		}
		// A strided view and a contiguous copy of the same matrix.
		view := mat.NewDense(3, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}).Slice(1, 3, 1, 3)
		if !bytes.Equal(fp(t, view), fp(t, mat.DenseCopyOf(view))) {
			t.Error("equal matrices, different fingerprints")
		}
		// Shared (acyclic) pointers are fine.
		leaf := &fpStruct{Name: "leaf"}
		s := []*fpStruct{leaf, leaf}
		if !bytes.Equal(fp(t, s), fp(t, []*fpStruct{{Name: "leaf"}, {Name: "leaf"}})) {
			t.Error("shared pointer changed the fingerprint")
		}
		// Time zones of the same instant with the same offset.
		t1 := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
		if !bytes.Equal(fp(t, fpStruct{T: t1}), fp(t, fpStruct{T: t1.Add(0)})) {
			t.Error("equal times, different fingerprints")
		}
	})
}

// TestFingerprintGolden pins the encoding: a change here changes every
// checkpoint key, so it must come with a new fpVersion.
func TestFingerprintGolden(t *testing.T) {
	bothEndians(t, func(t *testing.T) {
		v := fpStruct{Name: "golden", Vals: []float64{1, negZ, nan1}, M: map[string]int{"b": 2, "a": 1},
			P: &fpStruct{Name: "child"}, Any: []int32{-1}, small: 0.5}
		sum := sha256.Sum256(fp(t, v))
		if got, want := hex.EncodeToString(sum[:]), goldenFingerprint; got != want {
			t.Errorf("fingerprint sha256 = %s, want %s", got, want)
		}
		if got, want := hex.EncodeToString(fp(t, int64(1))), "010105696e7436340100000000000000"; got != want {
			t.Errorf("Fingerprint(int64(1)) = %s, want %s", got, want)
		}
	})
}

const goldenFingerprint = "948cadf48857ebc25cdcce698cd98af93d18412259525c943dfb9486067a2022"

func TestFingerprintSelfDelimiting(t *testing.T) {
	cat := func(vs ...any) []byte {
		var b []byte
		for _, v := range vs {
			b = append(b, fp(t, v)...)
		}
		return b
	}
	if bytes.Equal(cat("ab", "c"), cat("a", "bc")) {
		t.Error(`"ab","c" and "a","bc" collide`)
	}
	if bytes.Equal(cat([]float64{1, 2}, []float64{}), cat([]float64{1}, []float64{2})) {
		t.Error("float slices collide")
	}
}

type cyclic struct {
	Next *cyclic
}

func TestFingerprintRejects(t *testing.T) {
	c := &cyclic{}
	c.Next = c
	s := make([]any, 1)
	s[0] = s
	m := map[string]any{}
	m["m"] = m
	x := 1
	deep := &cyclic{}
	for range maxFingerprintDepth + 1 {
		deep = &cyclic{Next: deep}
	}
	for name, v := range map[string]any{
		"func":           func() {},
		"chan":           make(chan int),
		"unsafe.Pointer": unsafe.Pointer(&x),
		"func in struct": fpStruct{F: func() {}},
		"cyclic pointer": c,
		"cyclic slice":   s,
		"cyclic map":     m,
		"too deep":       deep,
	} {
		if err := Fingerprint(&bytes.Buffer{}, v); !errors.Is(err, ErrNotFingerprintable) {
			t.Errorf("%s: %v, want ErrNotFingerprintable", name, err)
		}
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestFingerprintWriteError(t *testing.T) {
	boom := errors.New("boom")
	for _, v := range []any{1, make([]float64, 1<<13)} {
		if err := Fingerprint(failWriter{boom}, v); !errors.Is(err, boom) || errors.Is(err, ErrNotFingerprintable) {
			t.Errorf("%T: %v, want the writer's error", v, err)
		}
	}
}

// TestFingerprintOfUnfaithfulValues pins the contract between keys and
// stored values: Fingerprint hashes what Marshal refuses, unexported
// fields included, and refuses nothing that Marshal accepts.
func TestFingerprintOfUnfaithfulValues(t *testing.T) {
	a, b := Item{"ITEM00", "loaded item00"}, Item{"ITEM00", ""}
	if bytes.Equal(fp(t, a), fp(t, b)) {
		t.Error("values that differ in an unexported field have the same fingerprint")
	}
	for _, v := range []any{a, b} {
		if _, _, err := Marshal(v); !errors.Is(err, ErrUnfaithful) {
			t.Errorf("Marshal(%#v) = %v; want ErrUnfaithful, so that nothing is stored under its key", v, err)
		}
	}
	for _, c := range unfaithfulCases() {
		err := Fingerprint(io.Discard, c.v)
		if err != nil && !errors.Is(err, ErrNotFingerprintable) {
			t.Errorf("%s: Fingerprint = %v", c.name, err)
		}
	}
	for name, v := range faithfulValues() {
		if err := Fingerprint(io.Discard, v); err != nil {
			t.Errorf("%s: Marshal accepts it, Fingerprint = %v", name, err)
		}
	}
}

// TestAppendFingerprint checks that AppendFingerprint appends exactly the
// bytes Fingerprint writes, on its fast path and off it, and that it
// refuses what Fingerprint refuses.
func TestAppendFingerprint(t *testing.T) {
	for _, v := range []any{
		0, -7, int64(1), uint64(1 << 63), 2.5, math.Inf(-1), "", "héllo",
		[]int(nil), []int{}, []int{3, -1}, // the fast path
		int32(5), []float64{1, negZ}, map[string]int{"a": 1}, fpStruct{Name: "x"}, nil, // reflection
	} {
		got, err := AppendFingerprint([]byte("prefix"), v)
		if err != nil {
			t.Fatalf("AppendFingerprint(%#v): %v", v, err)
		}
		if want := append([]byte("prefix"), fp(t, v)...); !bytes.Equal(got, want) {
			t.Errorf("AppendFingerprint(%#v) = %x, want %x", v, got, want)
		}
	}
	if _, err := AppendFingerprint(nil, make(chan int)); !errors.Is(err, ErrNotFingerprintable) {
		t.Errorf("AppendFingerprint(chan) = %v, want ErrNotFingerprintable", err)
	}
}
