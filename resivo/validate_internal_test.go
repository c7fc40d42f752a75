package resivo

import (
	"regexp"
	"testing"
)

// The rules isE164 and isAPIVersion write out.
var (
	e164Pattern    = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	versionPattern = regexp.MustCompile(`^v[0-9]{1,3}$`)
)

// FuzzIsE164 checks isE164 against the regexp it replaces; its seeds run
// under go test.
func FuzzIsE164(f *testing.F) {
	for _, s := range []string{"", "+", "+31612345678", "+0612345678", "31612345678", "+1234567", "+123456",
		"+123456789012345", "+1234567890123456", "+3161234567a", "+31 612345678", "+31612345678\n", "++31612345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isE164(s), e164Pattern.MatchString(s); got != want {
			t.Errorf("isE164(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzIsAPIVersion checks isAPIVersion against the regexp it replaces.
func FuzzIsAPIVersion(f *testing.F) {
	for _, s := range []string{"", "v", "v8", "v10", "v100", "v1000", "V8", "v8a", "8", "vv8", "v 8", "v8\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isAPIVersion(s), versionPattern.MatchString(s); got != want {
			t.Errorf("isAPIVersion(%q) = %v, want %v", s, got, want)
		}
	})
}
