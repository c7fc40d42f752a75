package august

import (
	"fmt"
	"strings"

	"github.com/doorkit/doorkit/access"
)

// ValidateLockID checks that id has August's lock id format, 32 upper-case
// hexadecimal characters; the error matches access.ErrInvalid. Every method
// taking a lock id checks it before any request.
func ValidateLockID(id string) error { return checkLockID(id) }

// validLockID reports whether id is 32 upper-case hexadecimal characters.
// It and the other checks are written out rather than package-level
// regexps, whose compiling every program importing august would pay for at
// start.
func validLockID(id string) bool { return len(id) == 32 && inSet(id, "0123456789ABCDEF") }

// validUUID reports whether id is a UUID: 8-4-4-4-12 hexadecimal
// characters of either case.
func validUUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch i {
		case 8, 13, 18, 23:
			if id[i] != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", rune(id[i])) {
				return false
			}
		}
	}
	return true
}

// inSet reports whether every byte of s is one of set's (ASCII) bytes.
func inSet(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

func checkLockID(id string) error {
	if !validLockID(id) {
		return access.Invalid("lockID", fmt.Sprintf("%q is not 32 upper-case hexadecimal characters", id))
	}
	return nil
}

func checkUUID(field, id string) error {
	if !validUUID(id) {
		return access.Invalid(field, fmt.Sprintf("%q is not a UUID", id))
	}
	return nil
}

// checkName refuses names August would store with control characters.
func checkText(field, s string, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return access.Invalid(field, "is required")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return access.Invalid(field, "contains a control character")
		}
	}
	return nil
}

// checkSegment refuses values that are not a plain path segment.
func checkSegment(field, s string) error {
	if s == "" {
		return access.Invalid(field, "is required")
	}
	if s == "." || s == ".." || strings.ContainsAny(s, "/\\?#%") {
		return access.Invalid(field, fmt.Sprintf("%q is not a plain identifier", s))
	}
	return checkText(field, s, true)
}
