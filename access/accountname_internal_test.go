package access

import (
	"regexp"
	"testing"
)

// accountNamePattern is the rule validAccountName writes out.
var accountNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// FuzzValidAccountName checks validAccountName against the regexp it
// replaces; its seeds run under go test.
func FuzzValidAccountName(f *testing.F) {
	for _, s := range []string{"", "a", "hq-havr", "lab.primis_2", "-a", ".a", "_a", "a:b", "a b", "a\n",
		"é", "0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdefg", "A-", "z9._-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validAccountName(s), accountNamePattern.MatchString(s); got != want {
			t.Errorf("validAccountName(%q) = %v, want %v", s, got, want)
		}
	})
}
