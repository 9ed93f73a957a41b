package darray

import (
	"fmt"
	"slices"
	"strings"
)

// Domain is a box of array indices: index i lies in it when
// Origin[d] <= i[d] < Origin[d]+Shape[d] in every dimension d (Dagger's
// ArrayDomain). An array's domain starts at the origin; each block's
// subdomain is where the block lies in it.
type Domain struct {
	Origin []int
	Shape  []int
}

// Len returns the number of indices in the domain.
func (d Domain) Len() int { return product(d.Shape) }

// NDims returns the number of dimensions.
func (d Domain) NDims() int { return len(d.Shape) }

// Contains reports whether idx lies in the domain.
func (d Domain) Contains(idx ...int) bool {
	if len(idx) != len(d.Shape) {
		return false
	}
	for k, i := range idx {
		if i < d.Origin[k] || i >= d.Origin[k]+d.Shape[k] {
			return false
		}
	}
	return true
}

// Equal reports whether d and e are the same box.
func (d Domain) Equal(e Domain) bool {
	return slices.Equal(d.Origin, e.Origin) && slices.Equal(d.Shape, e.Shape)
}

// String formats the domain as half-open ranges, e.g. "[0:128, 128:200]".
func (d Domain) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for k := range d.Shape {
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d:%d", d.Origin[k], d.Origin[k]+d.Shape[k])
	}
	b.WriteByte(']')
	return b.String()
}

// product returns the product of sizes (1 for none).
func product(sizes []int) int {
	n := 1
	for _, s := range sizes {
		n *= s
	}
	return n
}
