// Package dialnum cleans a phone number as people write it down to the
// digits a dialler uses. It needs no numbering-plan metadata, so resivo's
// SMS rule uses it without linking libphonenumber, and package phone
// cleans with it before its full check.
package dialnum

import "strings"

// Clean keeps the digits and a plus that comes before them, as in
// "(+31) 6 1234 5678", and turns a leading 00 into +.
func Clean(raw string) string {
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
