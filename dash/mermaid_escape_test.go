package dash_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn"
	"github.com/cairnlabs/cairn/dash"
)

// Names are user text: in a Mermaid label they can neither end the label
// nor add markup or lines, drawn node by node or grouped by function.
func TestMermaidEscapesNames(t *testing.T) {
	evil := "a\"]<br/><b>x</b>\nnext"
	f := cairn.Delayed(func(xs ...int) int { return len(xs) }, cairn.Options{Name: evil})
	leaves := make([]any, 3)
	for i := range leaves {
		leaves[i] = cairn.Delayed(func() int { return 1 }, cairn.Options{Name: evil})()
	}
	top := f(leaves...)
	thunks := append([]*cairn.Thunk{}, top.Inputs()...)
	thunks = append(thunks, top)
	for _, max := range []int{0, 1} { // detail, then grouped by function
		var b bytes.Buffer
		if err := dash.WriteMermaid(&b, thunks, map[uint64]dash.State{top.ID(): dash.State(1)}, &dash.GraphOptions{MaxNodes: max}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, bad := range []string{`a"]`, "<b>", "\nnext"} {
			if strings.Contains(out, bad) {
				t.Fatalf("MaxNodes %d: the name was not escaped (%q found):\n%s", max, bad, out)
			}
		}
	}
}
