package checkpoint_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cairnlabs/cairn/checkpoint"
)

func TestValidateKey(t *testing.T) {
	good := []string{
		"a", "sum/3f2a9c", "checkpoint-1.bin", "v1.2/x_y/Z-9", "...x", "a.b", "_",
		strings.Repeat("s", 200) + "/" + strings.Repeat("t", 200) + "/" + strings.Repeat("u", 110),
		".cairnish/x", "x/.cairn",
	}
	for _, k := range good {
		if err := checkpoint.ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", k, err)
		}
	}
	bad := []struct{ key, says string }{
		{"", "empty"},
		{"../x", "traversal"},
		{"a/../../b", "traversal"},
		{"a/..", "traversal"},
		{"./a", "traversal"},
		{"..", "traversal"},
		{"/abs", "absolute"},
		{"/", "absolute"},
		{"a//b", "empty segment"},
		{"a/", "ends with '/'"},
		{"a\x00b", "NUL"},
		{`a\b`, "backslash"},
		{`..\..\etc`, "backslash"},
		{"a b", "byte 1"},
		{"caf\u00e9", "byte 3"},
		{"a:b", "byte 1"},
		{"a~ck", "byte 1"},
		{strings.Repeat("x", 513), "513 bytes"},
		{strings.Repeat("x", 201), "segment is 201 bytes"},
		{".cairn", "reserved"},
		{".cairn/runs/x", "reserved"},
	}
	for _, c := range bad {
		err := checkpoint.ValidateKey(c.key)
		if !errors.Is(err, checkpoint.ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", c.key, err)
			continue
		}
		if !strings.Contains(err.Error(), c.says) {
			t.Errorf("ValidateKey(%q) = %q, want it to mention %q", c.key, err, c.says)
		}
	}
}
