package rest

import (
	"fmt"
	"strconv"
	"time"

	"github.com/doorkit/doorkit/access"
)

// Values are checked before a request is built: a malformed id or value is
// access.ErrInvalid with nothing sent, in every vendor alike.

// CheckTime refuses a time whose year, in UTC, is outside 1 to 9999: ISO
// 8601 and RFC 3339 timestamps, which every vendor takes, cannot carry it
// (Go would write "10000-01-01T00:00:00Z", which no vendor reads as meant).
func CheckTime(field string, t time.Time) error {
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return access.Invalid(field, fmt.Sprintf("year %d is outside 1 to 9999", y))
	}
	return nil
}

// MaxIDLength bounds the ids CheckID accepts, in bytes.
const MaxIDLength = 128

// CheckID refuses an id that no vendor hands out, for vendors whose id
// format is not documented more precisely: empty, longer than
// MaxIDLength bytes, "." or "..", or holding anything but ASCII letters,
// digits and '-', '_', '.', '~' (the characters a URL path segment carries
// as they are). Spaces, control and invisible characters, other scripts,
// path and query delimiters and percent signs come from a bad copy or a
// hostile caller; every id a vendor listing gave passes.
func CheckID(field, id string) error {
	switch {
	case id == "":
		return access.Invalid(field, "is required")
	case len(id) > MaxIDLength:
		return access.Invalid(field, "is longer than "+strconv.Itoa(MaxIDLength)+" bytes")
	case id == "." || id == "..":
		return access.Invalid(field, strconv.Quote(id)+" is not an id")
	}
	for i := range len(id) {
		if !idByte(id[i]) {
			return access.Invalid(field, strconv.Quote(id)+" holds a character no id has (ids are ASCII letters, digits, '-', '_', '.' and '~')")
		}
	}
	return nil
}

func idByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}
