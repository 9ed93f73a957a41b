package srcver

// The source of the probe program that build_test.go builds: it prints the
// digest of each of its functions, one per line.

const probeMod = `module github.com/cairnlabs/cairn/internal/srcver/probe

go 1.26

require github.com/cairnlabs/cairn v0.0.0

replace github.com/cairnlabs/cairn => %s
`

var probeBase = map[string]string{
	"main.go": `package main

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/cairnlabs/cairn/internal/srcver"
)

func main() {
	for _, f := range []struct {
		name string
		fn   any
	}{
		{"Top", Top},
		{"Other", Other},
		{"Acc.Add", (*Acc).Add},
		{"Acc.Total", Acc.Total},
		{"Scaled", Scaled},
		{"Areas", Areas},
		{"Pick", Pick[int]},
		{"literal", literal},
	} {
		d, err := srcver.Digest(reflect.ValueOf(f.fn).Pointer())
		kind := "ok"
		for _, k := range []error{srcver.ErrNoSource, srcver.ErrStale, srcver.ErrUnsupported} {
			if errors.Is(err, k) {
				kind = k.Error()
			}
		}
		fmt.Printf("%s\t%s\t%s\t%v\n", f.name, d, kind, err)
	}
}
`,
	"work.go": `package main

// Top calls mid, which calls leaf: both are in helpers.go.
func Top(x int) int {
	return mid(x) * 2
}

func Other(x int) int { return x + 100 }

type Acc struct{ n int }

func (a *Acc) Add(x int) { a.n += x }

func (a Acc) Total() int { return a.n }

func Scaled(x float64) float64 { return x * Scale }

func Pick[E any](xs []E, i int) E {
	if i < 0 {
		i = len(xs) + i
	}
	return xs[i]
}

var literal = func() int { return 1 }
`,
	"helpers.go": `package main

func mid(x int) int {
	return leaf(x) + 1
}

func leaf(x int) int {
	return x * 3
}

const Scale = 2.5
`,
	"shapes.go": `package main

type Shape interface{ Area() float64 }

type Circle struct{ R float64 }

func (c Circle) Area() float64 { return 3.14159 * c.R * c.R }

type Square struct{ S float64 }

func (s Square) Area() float64 { return s.S * s.S }

func Areas(shapes []Shape) []float64 {
	var out []float64
	for _, s := range shapes {
		out = append(out, s.Area())
	}
	return out
}
`,
}

// probeCosmetic is probeBase commented and laid out differently: no digest
// may change.
var probeCosmetic = map[string]string{
	"main.go": probeBase["main.go"],
	"work.go": edit(probeBase["work.go"],
		"func Top(x int) int {\n\treturn mid(x) * 2\n}", "func Top(x int) int { return mid(x) * 2 } // one line now",
		"func Other(x int) int { return x + 100 }", "// Other is left alone.\nfunc Other(x int) int {\n\n\treturn x + 100\n}",
		"\tif i < 0 {", "\tif (i < 0) { // from the end",
	),
	"helpers.go": edit(probeBase["helpers.go"],
		"\treturn leaf(x) + 1\n", "\t/* the helper */ return leaf(x) +\n\t\t1;\n",
		"\n", "\r\n",
	),
	"shapes.go": edit(probeBase["shapes.go"],
		"\t\tout = append(out, s.Area())", "\t\tout = append(\n\t\t\tout,\n\t\t\ts.Area(),\n\t\t)",
	),
}

// probeEdited changes a helper of Top (transitively), Acc.Add, the constant
// Scaled uses, Circle.Area (called by Areas through Shape) and Pick's body.
// Other's digest must not change.
var probeEdited = map[string]string{
	"main.go":    probeBase["main.go"],
	"work.go":    edit(probeBase["work.go"], "a.n += x", "a.n += 2 * x", "i = len(xs) + i", "i = len(xs) - 1"),
	"helpers.go": edit(probeBase["helpers.go"], "x * 3", "x * 4", "2.5", "2.75"),
	"shapes.go":  edit(probeBase["shapes.go"], "3.14159", "3.14"),
}
