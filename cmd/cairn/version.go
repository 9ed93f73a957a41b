package main

import (
	"runtime/debug"
	"strings"
)

// version describes this build for `cairn --version`: the module version
// (a tag, or "(devel)" for a build from a checkout), the VCS revision and
// commit time where the build recorded them, and the Go version.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (built without module information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	parts := []string{v}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" {
		r := "revision " + rev
		if modified {
			r += " with uncommitted changes"
		}
		if at != "" {
			r += " of " + at
		}
		parts = append(parts, r)
	}
	parts = append(parts, "built with "+bi.GoVersion)
	return strings.Join(parts, ", ")
}
