package access

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
)

// MaxEmailLength is the longest address ValidateEmail accepts, in bytes: the
// limit of a forward path in SMTP (RFC 5321) less its angle brackets.
const MaxEmailLength = 254

// ValidateEmail checks that email is one bare address such as
// ada@example.com, parsed with net/mail: no display name or angle brackets,
// no list (commas), no whitespace or control characters (which could split a
// header or a form field at the vendor), at most MaxEmailLength bytes, a
// local part of at most 64 bytes, and a domain that is an internet host
// name: two labels or more of ASCII letters, digits and inner hyphens, 63
// bytes each at most, the last not all digits (no "localhost", no IP
// address or [domain literal]; an internationalised domain goes in its
// ASCII "xn--" form). The error is an *InvalidError matching ErrInvalid.
func ValidateEmail(email string) error {
	return ValidateEmailField("email", email)
}

// ValidateEmailField is ValidateEmail naming field (a request's own field
// name, such as "Emails[2]") in its error.
func ValidateEmailField(field, email string) error {
	switch {
	case email == "":
		return Invalid(field, "is required")
	case len(email) > MaxEmailLength:
		return Invalid(field, "is longer than "+strconv.Itoa(MaxEmailLength)+" bytes")
	case strings.ContainsFunc(email, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }):
		return Invalid(field, "must not contain whitespace or control characters")
	case strings.ContainsRune(email, ','):
		return Invalid(field, "must be a single address (it contains a comma)")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil {
		return Invalid(field, strconv.Quote(email)+" is not an email address")
	}
	if addr.Name != "" || addr.Address != email {
		return Invalid(field, "must be a bare address such as ada@example.com, without a display name or angle brackets")
	}
	at := strings.LastIndexByte(email, '@')
	if at > 64 {
		return Invalid(field, "has a local part (before the @) longer than 64 bytes")
	}
	if reason := hostNameProblem(email[at+1:]); reason != "" {
		return Invalid(field, strconv.Quote(email)+": its domain "+reason)
	}
	return nil
}

// hostNameProblem says why domain is no internet host name, "" when it is.
func hostNameProblem(domain string) string {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "has no top-level domain"
	}
	for _, l := range labels {
		switch {
		case l == "":
			return "has an empty label"
		case len(l) > 63:
			return "has a label longer than 63 bytes"
		case l[0] == '-' || l[len(l)-1] == '-':
			return "has a label that starts or ends with a hyphen"
		}
		for _, r := range l {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return "may hold only ASCII letters, digits, hyphens and dots (an internationalised domain in its xn-- form)"
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "ends in a number: an IP address is no email domain"
	}
	return ""
}
