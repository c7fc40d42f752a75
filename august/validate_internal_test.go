package august

import (
	"regexp"
	"testing"
)

// The rules validLockID, validUUID and isAPIVersion write out.
var (
	lockIDPattern     = regexp.MustCompile(`^[0-9A-F]{32}$`)
	uuidPattern       = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	apiVersionPattern = regexp.MustCompile(`^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}$`)
)

// FuzzValidLockID checks validLockID against the regexp it replaces; the
// seeds of these run under go test.
func FuzzValidLockID(f *testing.F) {
	for _, s := range []string{"", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdef",
		"0123456789ABCDEF0123456789ABCDE", "0123456789ABCDEF0123456789ABCDEF0", "0123456789ABCDEG0123456789ABCDEF",
		"0123456789ABCDEF0123456789ABCDE\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validLockID(s), lockIDPattern.MatchString(s); got != want {
			t.Errorf("validLockID(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzValidUUID checks validUUID against the regexp it replaces.
func FuzzValidUUID(f *testing.F) {
	for _, s := range []string{"", "123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000",
		"123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000",
		"123e4567-e89b-12d3-a456_426614174000", "g23e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-42661417400\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validUUID(s), uuidPattern.MatchString(s); got != want {
			t.Errorf("validUUID(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzIsAPIVersion checks isAPIVersion against the regexp it replaces.
func FuzzIsAPIVersion(f *testing.F) {
	for _, s := range []string{"", "0.0.1", "1234.1234.1234", "12345.1.1", "1.2", "1.2.3.4", "1..3", "a.b.c", "1.2.3\n", "0.0.1 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isAPIVersion(s), apiVersionPattern.MatchString(s); got != want {
			t.Errorf("isAPIVersion(%q) = %v, want %v", s, got, want)
		}
	})
}
