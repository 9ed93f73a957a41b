// Package site says where thunks are made, as file:line.
package site

import (
	"fmt"
	"runtime"
	"strings"
)

// Format returns file:line, the file shortened to its last two path
// elements ("seed/main.go:42").
func Format(file string, line int) string {
	if i := strings.LastIndex(file, "/"); i >= 0 {
		if j := strings.LastIndex(file[:i], "/"); j >= 0 {
			file = file[j+1:]
		}
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// Caller returns the file:line of the innermost call on the stack that is
// outside package pkg (an import path), inlined calls included: where a
// library that makes thunks for its callers was called. It returns "" if
// there is none.
func Caller(pkg string) string {
	var pcs [32]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if f.Function != "" && !strings.HasPrefix(f.Function, pkg+".") {
			return Format(f.File, f.Line)
		}
		if !more {
			return ""
		}
	}
}
