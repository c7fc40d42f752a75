package resivo

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The default rule is the notes': 00 becomes +, separators go, no country
// code means no SMS. It cannot see landlines or numbers no plan allows.
func TestNormalizeSMS(t *testing.T) {
	tests := []struct {
		raw, want, reason string
	}{
		{"+31 6 12345678", "+31612345678", ""},
		{"0031 6 1234 5678", "+31612345678", ""},
		{"+31-6-1234-5678", "+31612345678", ""},
		{"(+31) 6 1234 5678", "+31612345678", ""},
		{"(0031) 6 1234 5678", "+31612345678", ""},
		{"+31 (0)6 12345678", "+31612345678", ""},
		{"+44 7911 123456", "+447911123456", ""},
		{"+31 20 123 4567", "+31201234567", ""}, // a landline: kept, metadata would tell
		{"06 1234 5678", "", "SMS skipped: 06 1234 5678 has no country code"},
		{"31612345678", "", "SMS skipped: 31612345678 has no country code"},
		{"+31 12", "", "SMS skipped: +31 12 is not a valid phone number"},
		{"+3161234567890123", "", "SMS skipped: +3161234567890123 is not a valid phone number"},
		{"+0 612345678", "", "SMS skipped: +0 612345678 is not a valid phone number"},
		{"", "", ""},
		{"  ", "", ""},
	}
	for _, tt := range tests {
		got, reason := normalizeSMS(tt.raw)
		assert.Equal(t, tt.want, got, "%q", tt.raw)
		assert.Equal(t, tt.reason, reason, "%q", tt.raw)
	}
}
