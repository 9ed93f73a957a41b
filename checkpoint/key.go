package checkpoint

import (
	"fmt"
	"strings"
)

const (
	// MaxKeyLen is the longest key, in bytes.
	MaxKeyLen = 512
	// MaxSegmentLen is the longest '/'-separated segment of a key, in
	// bytes, so that every segment fits a file name on common file systems.
	MaxSegmentLen = 200
	// internalPrefix starts the keys the Store keeps for itself (run
	// records); ValidateKey rejects it for users.
	internalPrefix = ".cairn/"
)

// ValidateKey reports whether key is a valid checkpoint key, and if not, why
// and how to fix it, in an error that matches ErrInvalidKey.
//
// A key is one or more segments separated by '/'. A segment is 1 to 200
// bytes of ASCII letters, digits, '.', '_' and '-', and is neither "." nor
// "..". A key is at most 512 bytes, and its first segment is not ".cairn",
// which the Store reserves for itself. So a key never escapes its store's
// directory, never names an absolute path, and means the same on every
// driver and operating system.
func ValidateKey(key string) error {
	if reserved(key) {
		return fmt.Errorf("%w %q: keys under %q (in any case) are reserved for the store's own records", ErrInvalidKey, key, internalPrefix)
	}
	return ValidateStoredKey(key)
}

// ValidateStoredKey reports whether key is one a Store may give a driver:
// a valid key by ValidateKey's rules, or one of the Store's own records'
// keys. A driver that reads keys back from storage it does not trust (a
// pack file, an index) checks them with it, so that bytes from disk never
// name a path outside its directory.
func ValidateStoredKey(key string) error {
	if storedKeyOK(key) {
		return nil
	}
	return storedKeyError(key)
}

// storedKeyError says what is wrong with a key storedKeyOK rejects, and
// how to fix it; nil if nothing is.
func storedKeyError(key string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, fmt.Sprintf(format, args...))
	}
	switch {
	case key == "":
		return fmt.Errorf("%w: the key is empty; use a name such as \"sum/block-3\"", ErrInvalidKey)
	case len(key) > MaxKeyLen:
		return bad("%d bytes long, over the %d-byte limit; hash long names", len(key), MaxKeyLen)
	case key[0] == '/':
		return bad("absolute paths are not keys; drop the leading '/'")
	case key[len(key)-1] == '/':
		return bad("ends with '/'; drop it")
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !keyChar(c) && c != '/' {
			hint := "use only letters, digits, '.', '_', '-' and '/' between segments"
			switch c {
			case '\\':
				hint = "backslash is not a separator; use '/'"
			case 0:
				hint = "NUL bytes are not allowed"
			}
			return bad("byte %d is %q: %s", i, c, hint)
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return bad("empty segment (\"//\"); remove the extra '/'")
		case seg == "." || seg == "..":
			return bad("%q segments are not allowed (path traversal); name the key plainly", seg)
		case len(seg) > MaxSegmentLen:
			return bad("a segment is %d bytes long, over the %d-byte limit; split it with '/' or hash it", len(seg), MaxSegmentLen)
		}
	}
	return nil
}

// storedKeyOK reports, in one pass, whether key passes ValidateStoredKey:
// drivers check every key they read back, a store's first read scans them
// all, and nearly all are valid.
func storedKeyOK(key string) bool {
	if len(key) == 0 || len(key) > MaxKeyLen {
		return false
	}
	seg := 0 // the current segment's start
	for i := 0; i <= len(key); i++ {
		if i < len(key) && key[i] != '/' {
			if !keyChars[key[i]] {
				return false
			}
			continue
		}
		n := i - seg
		if n == 0 || n > MaxSegmentLen || n <= 2 && key[seg] == '.' && (n == 1 || key[seg+1] == '.') {
			return false
		}
		seg = i + 1
	}
	return true
}

// keyChars[c] is keyChar(c).
var keyChars = func() (t [256]bool) {
	for c := range 256 {
		t[c] = keyChar(byte(c))
	}
	return t
}()

// keyChar reports whether c may appear in a key segment.
func keyChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

// reserved reports whether key is, or is under, the store's own prefix, in
// any letter case: on a case-insensitive file system ".CAIRN/x" is
// ".cairn/x".
func reserved(key string) bool {
	first, _, _ := strings.Cut(key, "/")
	return strings.EqualFold(first+"/", internalPrefix)
}
