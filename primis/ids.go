package primis

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/doorkit/doorkit/access"
)

// MaxIDLength is the longest id (controlled area, access group, beacon,
// phone id) the client sends, in bytes. The document's ids are 12-digit
// numbers and 36-character device ids; the limit only keeps out garbage.
const MaxIDLength = 64

// validateID checks an id before it is sent, in a JSON body or a path: not
// empty, at most MaxIDLength bytes, valid UTF-8, and no whitespace, control
// or invisible formatting characters. JSON would carry such ids safely, but
// no Primis id has them: they come from a bad copy or a hostile caller.
func validateID(field string, id ID) error {
	s := string(id)
	switch {
	case s == "":
		return access.Invalid(field, "is required")
	case len(s) > MaxIDLength:
		return access.Invalid(field, "is longer than "+strconv.Itoa(MaxIDLength)+" bytes")
	case !utf8.ValidString(s):
		return access.Invalid(field, "is not valid UTF-8")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }):
		return access.Invalid(field, "must not contain whitespace, control or invisible characters")
	}
	return nil
}
