package darray

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"
)

// bitsEqual reports whether two float slices are bit-identical.
func bitsEqual[T Float](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) {
			return false
		}
	}
	return true
}

// TestRandomReproducible checks that a seed gives bit-identical arrays
// whatever the parallelism and the block sizes, in every run.
func TestRandomReproducible(t *testing.T) {
	shape := []int{37, 53}
	for _, mk := range []struct {
		name string
		f    func(Blocking, []int, ...Option) (*Array[float64], error)
	}{{"Randn", Randn}, {"Rand", Rand}} {
		t.Run(mk.name, func(t *testing.T) {
			var ref []float64
			for _, p := range []int{1, 2, 8} {
				for _, b := range [][]int{{8, 8}, {37, 53}, {5, 17}, {1, 53}, {64, 64}} {
					s := newScheduler(t, p)
					got := collect(t, s, must(mk.f(Blocks(b...), shape, Seed(42)))).Data
					if ref == nil {
						ref = got
						continue
					}
					if !bitsEqual(got, ref) {
						t.Fatalf("parallelism %d, blocks %v: values differ from the first run", p, b)
					}
				}
			}
			other := collect(t, newScheduler(t, 2), must(mk.f(Blocks(8, 8), shape, Seed(43)))).Data
			same := 0
			for i := range other {
				if other[i] == ref[i] {
					same++
				}
			}
			if same > 2 {
				t.Errorf("seeds 42 and 43 share %d of %d values", same, len(ref))
			}
		})
	}
}

// TestRandomPinned pins a few values, so that a change to the generator,
// which would orphan every checkpoint keyed by a seed, cannot go unnoticed.
func TestRandomPinned(t *testing.T) {
	s := newScheduler(t, 2)
	n := collect(t, s, must(Randn(Blocks(2, 2), []int{3, 3}, Seed(1)))).Data
	u := collect(t, s, must(Rand(Blocks(2, 2), []int{3, 3}, Seed(1)))).Data
	for i, want := range pinnedRandn {
		if math.Float64bits(n[i]) != want {
			t.Errorf("Randn element %d = %v (bits %#x), want bits %#x", i, n[i], math.Float64bits(n[i]), want)
		}
	}
	big := collect(t, s, must(Randn(Blocks(100, 100), []int{256, 256}, Seed(1)))).Data
	h := fnv.New64a()
	for _, v := range big {
		binary.Write(h, binary.LittleEndian, math.Float64bits(v))
	}
	if got := h.Sum64(); got != pinnedRandnHash {
		t.Errorf("hash of a 256×256 Randn array = %#x, want %#x", got, uint64(pinnedRandnHash))
	}
	for i, want := range pinnedRand {
		if math.Float64bits(u[i]) != want {
			t.Errorf("Rand element %d = %v (bits %#x), want bits %#x", i, u[i], math.Float64bits(u[i]), want)
		}
	}
}

// TestRandomFloat32 checks that float32 arrays hold the float64 values
// rounded.
func TestRandomFloat32(t *testing.T) {
	s := newScheduler(t, 2)
	d := collect(t, s, must(Randn(Blocks(4, 4), []int{9, 9}, Seed(5)))).Data
	f := collect(t, s, must(RandnOf[float32](Blocks(3, 5), []int{9, 9}, Seed(5)))).Data
	for i := range d {
		if f[i] != float32(d[i]) {
			t.Fatalf("element %d: float32 %v, float64 %v", i, f[i], d[i])
		}
	}
}

// TestRandomDistribution checks the moments of a large sample, and that
// uniform values lie in [0, 1).
func TestRandomDistribution(t *testing.T) {
	s := newScheduler(t, 2)
	const n = 1 << 18
	x := collect(t, s, must(Randn(Blocks(1<<15), []int{n}, Seed(9)))).Data
	var m1, m2, m4 float64
	for _, v := range x {
		m1 += v
		m2 += v * v
		m4 += v * v * v * v
	}
	m1, m2, m4 = m1/n, m2/n, m4/n
	// Standard errors: 1/sqrt(n) ≈ 0.002 for the mean, ≈0.003 for the
	// variance, ≈0.02 for the fourth moment (3 for a normal).
	if math.Abs(m1) > 0.01 || math.Abs(m2-1) > 0.015 || math.Abs(m4-3) > 0.1 {
		t.Errorf("moments %.4f %.4f %.4f, want 0, 1, 3", m1, m2, m4)
	}
	tail := 0
	for _, v := range x {
		if math.Abs(v) > zigR {
			tail++
		}
	}
	// P(|x| > 3.4426) ≈ 5.76e-4.
	if want := 5.76e-4 * n; math.Abs(float64(tail)-want) > 5*math.Sqrt(want) {
		t.Errorf("%d values beyond the ziggurat's base, want about %.0f", tail, want)
	}
	u := collect(t, s, must(Rand(Blocks(1<<15), []int{n}, Seed(9)))).Data
	var mean float64
	for _, v := range u {
		if v < 0 || v >= 1 {
			t.Fatalf("uniform value %v outside [0, 1)", v)
		}
		mean += v
	}
	if mean /= n; math.Abs(mean-0.5) > 0.005 {
		t.Errorf("uniform mean %.4f, want 0.5", mean)
	}
}

// fixedSource replays 64-bit words.
type fixedSource []uint64

func (f *fixedSource) Uint64() uint64 { u := (*f)[0]; *f = (*f)[1:]; return u }

// TestNormalMatchesStdlib checks that the sampler's fast path, which takes
// about 97% of draws, computes what math/rand/v2's NormFloat64 computes from
// the same bits.
func TestNormalMatchesStdlib(t *testing.T) {
	st := newStream(1, kindNormal)
	fast := 0
	for i := range uint64(100000) {
		u := st.at(i)
		if absInt32(int32(u)) >= zigK[u>>32&0x7f] {
			continue
		}
		fast++
		src := fixedSource{u}
		if got, want := normal(u), rand.New(&src).NormFloat64(); got != want {
			t.Fatalf("normal(%#x) = %v, math/rand/v2 gives %v", u, got, want)
		}
	}
	if fast < 96500 {
		t.Errorf("only %d of 100000 draws took the fast path", fast)
	}
}

// TestUnseeded checks that random arrays without a seed differ between
// builds and are kept out of checkpoint stores.
func TestUnseeded(t *testing.T) {
	s := newScheduler(t, 2)
	a := collect(t, s, must(Randn(Blocks(4), []int{8}))).Data
	b := collect(t, s, must(Randn(Blocks(4), []int{8}))).Data
	if bitsEqual(a, b) {
		t.Error("two unseeded arrays are equal")
	}
	x := must(Rand(Blocks(4), []int{8}))
	if !x.Chunks()[0].Options().NoCheckpoint {
		t.Error("an unseeded block may be checkpointed")
	}
	y := must(Rand(Blocks(4), []int{8}, Seed(0)))
	if y.Chunks()[0].Options().NoCheckpoint {
		t.Error("a seeded block is kept from checkpoints")
	}
}

// TestKeysStable checks that blocks built twice from the same arguments
// get the same checkpoint keys, and that any argument changes them.
func TestKeysStable(t *testing.T) {
	keys := func(a *Array[float64]) []string {
		var ks []string
		for _, c := range a.Chunks() {
			k, err := c.Key()
			if err != nil {
				t.Fatalf("%v: %v", c, err)
			}
			ks = append(ks, k)
		}
		return ks
	}
	x1 := keys(must(Randn(Blocks(4, 4), []int{8, 8}, Seed(1))))
	x2 := keys(must(Randn(Blocks(4, 4), []int{8, 8}, Seed(1))))
	for i := range x1 {
		if x1[i] != x2[i] {
			t.Fatalf("block %d: keys %s and %s for the same arguments", i, x1[i], x2[i])
		}
	}
	seen := map[string]string{}
	for name, ks := range map[string][]string{
		"same":  x1,
		"seed":  keys(must(Randn(Blocks(4, 4), []int{8, 8}, Seed(2)))),
		"shape": keys(must(Randn(Blocks(4, 4), []int{8, 12}, Seed(1)))),
		"rand":  keys(must(Rand(Blocks(4, 4), []int{8, 8}, Seed(1)))),
	} {
		for i, k := range ks {
			if other, dup := seen[k]; dup {
				t.Errorf("%s block %d has the key of %s", name, i, other)
			}
			seen[k] = name
		}
	}
	x := must(Randn(Blocks(4, 4), []int{8, 8}, Seed(1)))
	sum1, err1 := Sum(must(MatMul(x, Transpose(x)))).Key()
	sum2, err2 := Sum(must(MatMul(x, Transpose(x)))).Key()
	if err1 != nil || err2 != nil || sum1 != sum2 {
		t.Errorf("keys of a derived reduction: %s, %v; %s, %v", sum1, err1, sum2, err2)
	}
}

var (
	pinnedRandn = []uint64{0xbfa834b1fb6f9240, 0x3ff4cbaea04c99de, 0xbfe1a7fc3227548b, 0xbfb47929b7945d4c,
		0xbff1d1b63aa217c6, 0x3ffcbdf861fbd203, 0x4000841d3a85497e, 0x3fe9a4383cd8fb92, 0x3fe0a37800580adc}
	pinnedRand = []uint64{0x3fdad6145dbc668a, 0x3fc612586cea89e0, 0x3fe811f7593351f7, 0x3fe05152aa3a55b6,
		0x3fe4fba5e9605243, 0x3feb4e9825d3f5f0, 0x3feb203a6ce30f12, 0x3fe1ab604380a940, 0x3fbaf4ed4ff11280}
)

// pinnedRandnHash is the FNV-1a hash of the bits of a 256×256 Randn array
// with seed 1, which covers the sampler's slow paths (about 3% of draws).
const pinnedRandnHash = 0x4550d3d1c095c8ad
