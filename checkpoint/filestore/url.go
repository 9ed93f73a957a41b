package filestore

import (
	"net/url"
	"path/filepath"
	"strings"
)

// URL returns the file:// URL of a store in directory dir (made absolute),
// escaped so that it names that directory whatever its name holds: a '%',
// '?', '#' or space in a directory name would otherwise be read as an
// escape, a query or a fragment by checkpoint.Open, which would open
// another directory than dir. Query parameters (fsync=false) may be
// appended after a '?'.
func URL(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a volume name: file:///C:/dir
	}
	return (&url.URL{Scheme: "file", Path: p}).String(), nil
}
