// Package phone prepares phone numbers for vendors that deliver credentials
// by SMS (resivo). It is apart from access because it links libphonenumber's
// metadata (several MB): programs that use only vendors without SMS never
// import it.
package phone

import (
	"strings"

	"github.com/doorkit/doorkit/internal/dialnum"
	"github.com/nyaruka/phonenumbers"
)

// NormalizeSMS prepares a phone number for vendors that send SMS only to
// mobile numbers in E.164 form. It turns a leading 00 into +, drops spaces
// and separators, and checks the number with libphonenumber's metadata.
//
// It never fails: when the number cannot receive SMS (no country code, not a
// valid number, a fixed line) it returns an empty number and a reason that
// says why, so a grant can go ahead by email alone and report the reason as
// a notice. Numbers whose plan does not tell mobile from fixed line (the US,
// Canada) are kept. An empty or blank raw gives an empty number and no
// reason.
func NormalizeSMS(raw string) (e164 string, reason string) {
	cleaned := clean(raw)
	if cleaned == "" {
		return "", ""
	}
	if !strings.HasPrefix(cleaned, "+") {
		return "", "SMS skipped: " + raw + " has no country code"
	}
	num, err := phonenumbers.Parse(cleaned, "")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", "SMS skipped: " + raw + " is not a valid phone number"
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return phonenumbers.Format(num, phonenumbers.E164), ""
	case phonenumbers.FIXED_LINE:
		return "", "SMS skipped: " + raw + " is a fixed-line number"
	default:
		return "", "SMS skipped: " + raw + " is not a mobile number"
	}
}

// clean is dialnum.Clean.
func clean(raw string) string { return dialnum.Clean(raw) }
