//go:build !unix

package benchcmp

import "os/exec"

// killGroup leaves cmd as it is: outside Unix, cancellation kills the
// script's own process only.
func killGroup(*exec.Cmd) {}
