package resivo

import (
	"strings"

	"github.com/doorkit/doorkit/internal/dialnum"
)

// normalizeSMS is the default SMS number rule, the one resivo's integration
// notes give: 00 becomes +, spaces and separators go, and a number without a
// country code gets no SMS. It needs no numbering-plan metadata, so it does
// not tell a landline from a mobile number, nor a number no plan allows from
// one that exists: only a number of 7 to 15 digits after a "+" (E.164's
// shape) is kept. WithSMSNumbers(phone.NormalizeSMS) adds those checks.
func normalizeSMS(raw string) (e164, reason string) {
	cleaned := cleanNumber(raw)
	switch {
	case cleaned == "":
		return "", ""
	case !strings.HasPrefix(cleaned, "+"):
		return "", "SMS skipped: " + raw + " has no country code"
	case len(cleaned) < 8 || len(cleaned) > 16 || cleaned[1] == '0':
		return "", "SMS skipped: " + raw + " is not a valid phone number"
	}
	return cleaned, ""
}

// cleanNumber is dialnum.Clean after dropping a "(0)" trunk prefix
// ("+31 (0)6 ...").
func cleanNumber(raw string) string {
	return dialnum.Clean(strings.ReplaceAll(raw, "(0)", ""))
}
