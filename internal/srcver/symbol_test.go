package srcver

import (
	"errors"
	"testing"
)

func TestParseSymbol(t *testing.T) {
	for _, tc := range []struct {
		full string
		want symbol // zero: ErrUnsupported
	}{
		{"main.F", symbol{name: "F"}},
		{"example.com/a/b.F", symbol{name: "F"}},
		{"gopkg.in/yaml%2ev3.Marshal", symbol{name: "Marshal"}},
		{"example.com/p.T.M", symbol{recv: "T", name: "M"}},
		{"example.com/p.(*T).M", symbol{recv: "T", ptr: true, name: "M"}},
		{"example.com/p.F[...]", symbol{name: "F"}},
		{"example.com/p.(*G[...]).M", symbol{recv: "G", ptr: true, name: "M"}},
		{"example.com/p.G[...].M", symbol{recv: "G", name: "M"}},
		{"example.com/p.F.func1", symbol{}},
		{"example.com/p.F.func1.2", symbol{}},
		{"main.main.mk.func1", symbol{}},
		{"example.com/p.(*T).M.func3", symbol{}},
		{"example.com/p.init.func1", symbol{}},
		{"example.com/p.glob..func1", symbol{}},
		{"example.com/p.init.0", symbol{}},
		{"example.com/p.init", symbol{}},
		{"example.com/p.T.M-fm", symbol{}},
		{"example.com/p.(*T).M-fm", symbol{}},
		{"reflect.makeFuncStub", symbol{name: "makeFuncStub"}},
		{"func", symbol{}},
	} {
		got, err := parseSymbol(tc.full)
		if tc.want == (symbol{}) {
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("parseSymbol(%q) = %+v, %v; want ErrUnsupported", tc.full, got, err)
			}
			continue
		}
		tc.want.full = tc.full
		if err != nil || got != tc.want {
			t.Errorf("parseSymbol(%q) = %+v, %v; want %+v", tc.full, got, err, tc.want)
		}
	}
}
