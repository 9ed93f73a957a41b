package darray

import (
	"math"
	"math/bits"
)

// The random arrays are counter-based: element g of an array (its row-major
// position in the whole array, not in its block) gets the g-th output of a
// SplitMix64 stream chosen by the seed. A value therefore depends only on the
// seed, the array's shape and the element's position: not on the block
// sizes, the order in which blocks run, the parallelism or the machine. Any
// block can be generated, or regenerated after a failure, on its own.
//
// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014) passes BigCrush; its output i is mix(base +
// i·gamma), which is what makes random access cheap. Each seed picks both
// base and gamma, so two seeds give unrelated sequences rather than shifts of
// one sequence.

// stream is a SplitMix64 sequence with random access.
type stream struct {
	base, gamma uint64
}

// Domain separation constants, so that Rand and Randn with the same seed do
// not share their bits.
const (
	kindUniform uint64 = 0x5a17_d1c3_8b2e_f001
	kindNormal  uint64 = 0x6c0f_4ab9_1e75_d202
	// tailSalt seeds the extra draws of a rejected normal sample.
	tailSalt uint64 = 0xd1b5_4a32_d192_ed03
)

const golden = 0x9e37_79b9_7f4a_7c15

// newStream returns the stream of seed for a kind of variate.
func newStream(seed, kind uint64) stream {
	base := mix64(seed ^ kind)
	gamma := mixGamma(base + golden)
	return stream{base: base, gamma: gamma}
}

// at returns the stream's i-th output.
func (s stream) at(i uint64) uint64 { return mix64(s.base + (i+1)*s.gamma) }

// mix64 is SplitMix64's output function (Stafford's variant 13).
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58_476d_1ce4_e5b9
	z = (z ^ (z >> 27)) * 0x94d0_49bb_1331_11eb
	return z ^ (z >> 31)
}

// mixGamma derives an odd increment with enough bit transitions, as
// SplitMix64's split does.
func mixGamma(z uint64) uint64 {
	z = (z ^ (z >> 33)) * 0xff51_afd7_ed55_8ccd
	z = (z ^ (z >> 33)) * 0xc4ce_b9fe_1a85_ec53
	z = (z ^ (z >> 33)) | 1
	if bits.OnesCount64(z^(z>>1)) < 24 {
		z ^= 0xaaaa_aaaa_aaaa_aaaa
	}
	return z
}

// uniform53 turns 64 random bits into a float64 in [0, 1).
func uniform53(u uint64) float64 { return float64(u>>11) * 0x1p-53 }

// uniform24 turns 64 random bits into a float32 in [0, 1).
func uniform24(u uint64) float32 { return float32(u>>40) * 0x1p-24 }

// normal turns 64 random bits into a standard normal variate with the
// ziggurat method (the tables and steps of Go's math/rand/v2 NormFloat64).
// About 97% of calls use u alone; the rest draw further bits from a
// small stream seeded by u, so the result is still a function of u.
func normal(u uint64) float64 {
	j := int32(u)
	i := u >> 32 & 0x7f
	x := float64(j) * float64(zigW[i])
	if absInt32(j) < zigK[i] {
		return x
	}
	return normalSlow(u)
}

// normalSlow finishes a sample that fell outside the ziggurat's rectangles.
func normalSlow(u uint64) float64 {
	extra := stream{base: mix64(u ^ tailSalt), gamma: golden}
	var n uint64
	next := func() uint64 { n++; return extra.at(n - 1) }
	for {
		j := int32(u)
		i := u >> 32 & 0x7f
		x := float64(j) * float64(zigW[i])
		if absInt32(j) < zigK[i] {
			return x
		}
		if i == 0 {
			// The base strip: sample the tail beyond zigR.
			for {
				x = -math.Log(uniform53(next())) * (1.0 / zigR)
				y := -math.Log(uniform53(next()))
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return zigR + x
			}
			return -zigR - x
		}
		if zigF[i]+float32(uniform53(next()))*(zigF[i-1]-zigF[i]) < float32(math.Exp(-.5*x*x)) {
			return x
		}
		u = next()
	}
}

func absInt32(i int32) uint32 {
	if i < 0 {
		return uint32(-i)
	}
	return uint32(i)
}
