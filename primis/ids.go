package primis

import (
	"strconv"
	"strings"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// MaxIDLength is the longest id (controlled area, access group, beacon,
// phone id) the client sends, in bytes. The document's ids are 12-digit
// numbers and 36-character device ids; the limit only keeps out garbage.
const MaxIDLength = 64

// validateID checks an id before it is sent, in a JSON body or a path: at
// most MaxIDLength bytes and the shape every doorkit vendor checks
// (rest.CheckID: ASCII letters, digits, '-', '_', '.' and '~', not "." or
// ".."). JSON would carry other ids safely, but no Primis id has them:
// they come from a bad copy or a hostile caller.
func validateID(field string, id ID) error {
	if len(id) > MaxIDLength {
		return access.Invalid(field, "is longer than "+strconv.Itoa(MaxIDLength)+" bytes")
	}
	return rest.CheckID(field, string(id))
}

// validatePhoneID checks a phone id, which the mobile app (here, the
// integrator) assigns in a form of its choosing: at most MaxIDLength bytes
// of printable ASCII without spaces, and no '/', '\\', '?', '#' or '%'
// (it travels in paths), nor "." or "..".
func validatePhoneID(field, id string) error {
	switch {
	case id == "":
		return access.Invalid(field, "is required")
	case len(id) > MaxIDLength:
		return access.Invalid(field, "is longer than "+strconv.Itoa(MaxIDLength)+" bytes")
	case id == "." || id == "..":
		return access.Invalid(field, strconv.Quote(id)+" is not an id")
	case strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r > '~' || strings.ContainsRune(`/\?#%`, r) }):
		return access.Invalid(field, strconv.Quote(id)+" must be printable ASCII without spaces, '/', '\\', '?', '#' or '%'")
	}
	return nil
}
