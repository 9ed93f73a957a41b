package benchcmp

import (
	"os"
	"path/filepath"
	"testing"
)

// stubPython writes a fake interpreter for the peer scripts into dir: it
// answers the probe (-c) with fixed versions and runs any script given to
// it with /bin/sh, so that the tests' stub scripts are shell scripts and
// need no Python. It returns its path.
func stubPython(t *testing.T, dir string) string {
	t.Helper()
	return writeScript(t, dir, "python3", `#!/bin/sh
if [ "$1" = -c ]; then
  echo '{"python": "3.stub", "dask": "stub", "distributed": "stub", "numpy": "stub"}'
  exit 0
fi
exec /bin/sh "$@"
`)
}

// writeScript writes an executable file and returns its path.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}
