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
// header or a form field at the vendor), at most MaxEmailLength bytes. The
// error is an *InvalidError matching ErrInvalid.
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
	return nil
}
