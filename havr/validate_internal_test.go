package havr

import (
	"regexp"
	"testing"
)

// The rules havrPhone and isAppVersion write out.
var (
	phonePatterns = []*regexp.Regexp{
		regexp.MustCompile(`^(?:0|\+33)[1-9][0-9]{8}$`),
		regexp.MustCompile(`^(?:0|\+44)[1-9][0-9]{9}$`),
	}
	appVersionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
)

// FuzzHavrPhone checks havrPhone against the regexps it replaces; its seeds
// run under go test.
func FuzzHavrPhone(f *testing.F) {
	for _, s := range []string{"", "0", "0648243834", "+33648243834", "07222555555", "+447222555555", "0048243834",
		"+33048243834", "+4407222555555", "064824383", "064824383456", "+3364824383", "+336482438345", "+44722255555",
		"+4472225555555", "06 48243834", "0648243834\n", "+33+648243834", "+34648243834", "0a48243834", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := phonePatterns[0].MatchString(s) || phonePatterns[1].MatchString(s)
		if got := havrPhone(s); got != want {
			t.Errorf("havrPhone(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzIsAppVersion checks isAppVersion against the regexp it replaces.
func FuzzIsAppVersion(f *testing.F) {
	for _, s := range []string{"", "1.2.3", "10.20.300", "1.2", "1.2.3.4", "1..3", ".2.3", "1.2.", "a.b.c", "1.2.3\n", "01.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isAppVersion(s), appVersionPattern.MatchString(s); got != want {
			t.Errorf("isAppVersion(%q) = %v, want %v", s, got, want)
		}
	})
}
