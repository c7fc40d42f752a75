package august

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/doorkit/doorkit/access"
)

var (
	lockIDPattern = regexp.MustCompile(`^[0-9A-F]{32}$`)
	uuidPattern   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// ValidateLockID checks that id has August's lock id format, 32 upper-case
// hexadecimal characters; the error matches access.ErrInvalid. Every method
// taking a lock id checks it before any request.
func ValidateLockID(id string) error { return checkLockID(id) }

func validLockID(id string) bool { return lockIDPattern.MatchString(id) }

func checkLockID(id string) error {
	if !validLockID(id) {
		return access.Invalid("lockID", fmt.Sprintf("%q is not 32 upper-case hexadecimal characters", id))
	}
	return nil
}

func checkUUID(field, id string) error {
	if !uuidPattern.MatchString(id) {
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
