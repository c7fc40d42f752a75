package phone

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalizeSMS(t *testing.T) {
	tests := []struct {
		raw       string
		want      string
		noticeHas string // empty: no notice
		comment   string
	}{
		{"+31 6 12345678", "+31612345678", "", "spaces dropped"},
		{"+31612345678", "+31612345678", "", "already E.164"},
		{" +31612345678\n", "+31612345678", "", "surrounding space"},
		{"0031612345678", "+31612345678", "", "00 becomes +"},
		{"0031 6 1234 5678", "+31612345678", "", "00 with spaces"},
		{"+31-6-1234-5678", "+31612345678", "", "dashes dropped"},
		{"+31.6.1234.5678", "+31612345678", "", "dots dropped"},
		{"(+31) 6 1234 5678", "+31612345678", "", "country code in brackets"},
		{"(0031) 6 1234 5678", "+31612345678", "", "00 country code in brackets"},
		{"+31 (0)6 12345678", "+31612345678", "", "Dutch (0) trunk prefix"},
		{"+44 7911 123456", "+447911123456", "", "UK mobile"},
		{"0044 7911 123456", "+447911123456", "", "UK mobile with 00"},
		{"+1 650 253 0000", "+16502530000", "", "US: fixed line or mobile, kept"},
		{"0612345678", "", "no country code", "national format"},
		{"06-12345678", "", "no country code", "national format with dash"},
		{"31612345678", "", "no country code", "digits only, no plus"},
		{"+31201234567", "", "fixed-line", "Amsterdam landline"},
		{"0031 20 123 4567", "", "fixed-line", "landline with 00"},
		{"+31 12", "", "not a valid phone number", "too short"},
		{"+", "", "not a valid phone number", "plus only"},
		{"00", "", "not a valid phone number", "00 only"},
		{"+999 1234567", "", "not a valid phone number", "unknown country code"},
		{"+31 800 0123456", "", "not a mobile number", "toll free"},
		{"", "", "", "no phone given"},
		{"   ", "", "", "blank"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, notice := NormalizeSMS(tt.raw)
			assert.Equal(t, tt.want, got, tt.comment)
			if tt.noticeHas == "" {
				assert.Empty(t, notice, tt.comment)
				return
			}
			assert.Contains(t, notice, tt.noticeHas, tt.comment)
			assert.Contains(t, notice, "SMS skipped")
			assert.Contains(t, notice, tt.raw, "the notice quotes the number as entered")
		})
	}
}

func TestNormalizeSMSNotices(t *testing.T) {
	_, notice := NormalizeSMS("0612345678")
	assert.Equal(t, "SMS skipped: 0612345678 has no country code", notice)
	_, notice = NormalizeSMS("+31201234567")
	assert.Equal(t, "SMS skipped: +31201234567 is a fixed-line number", notice)
}

func TestClean(t *testing.T) {
	for raw, want := range map[string]string{
		"+31 6 12345678":    "+31612345678",
		"0031612345678":     "+31612345678",
		"(+31) 6 1234 5678": "+31612345678",
		"++31 6":            "+316",
		"31+6":              "316",
		"tel:+31612345678":  "+31612345678",
		"":                  "",
		"abc":               "",
		"0":                 "0",
	} {
		assert.Equal(t, want, clean(raw), "%q", raw)
	}
}
