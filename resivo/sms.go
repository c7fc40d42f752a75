package resivo

import "strings"

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

// cleanNumber keeps the digits and a plus that comes before them, as in
// "(+31) 6 1234 5678", drops a "(0)" trunk prefix ("+31 (0)6 ..."), and
// turns a leading 00 into +.
func cleanNumber(raw string) string {
	raw = strings.ReplaceAll(raw, "(0)", "")
	var b strings.Builder
	b.Grow(len(raw))
	for _, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	return s
}
