package access

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateEmail(t *testing.T) {
	// 254 bytes: a 64-byte local part, labels of 63 bytes at most.
	long := strings.Repeat("a", 64) + "@" + strings.Repeat(strings.Repeat("b", 61)+".", 2) + strings.Repeat("c", 61) + ".com"
	require.Len(t, long, 254)
	valid := []string{"ada@example.com", "ada.lovelace+visit@mail.example.co.uk", "o'brien@example.ie", long,
		"ADA@EXAMPLE.COM", "a_b%c@x-y.example", "ü@example.com", "a@xn--bcher-kva.example"}
	for _, email := range valid {
		assert.NoError(t, ValidateEmail(email), "%q", email)
	}
	invalid := map[string]string{
		"":                                  "empty",
		"ada":                               "no @",
		"ada@":                              "no domain",
		"@example.com":                      "no local part",
		"Ada <ada@example.com>":             "display name",
		"<ada@example.com>":                 "angle brackets",
		"ada@example.com, bob@example.com":  "list",
		"ada@example.com,bob@example.com":   "list without space",
		"ada@example.com\r\nBcc: x@evil.io": "header injection",
		"ada@example.com\n":                 "trailing newline",
		"ada\x00@example.com":               "NUL",
		"ada @example.com":                  "space",
		" ada@example.com":                  "leading space",
		"ada@exa\tmple.com":                 "tab",
		"\"ada lovelace\"@example.com":      "quoted space",
		"ada@@example.com":                  "two @",
		"x" + long:                          "255 bytes",
		"ada@example.com (Ada)":             "comment",
		"ada@[1.2.3.4":                      "broken domain literal",
		"ada@[127.0.0.1]":                   "domain literal",
		"ada@localhost":                     "a single label",
		"ada@example":                       "no top-level domain",
		"ada@-example.com":                  "label starting with a hyphen",
		"ada@example-.com":                  "label ending with a hyphen",
		"ada@exa_mple.com":                  "underscore in the domain",
		"ada@bücher.example":                "non-ASCII domain",
		"ada@1.2.3.4":                       "numeric top-level domain",
		"ada@" + strings.Repeat("b", 64) + ".com": "label of 64 bytes",
		strings.Repeat("a", 65) + "@example.com":  "local part of 65 bytes",
	}
	for email, why := range invalid {
		err := ValidateEmail(email)
		assert.ErrorIs(t, err, ErrInvalid, "%s: %q", why, email)
		var inv *InvalidError
		if assert.ErrorAs(t, err, &inv, why) {
			assert.Equal(t, "email", inv.Field)
		}
	}
}

func TestGrantRequestValidatesHolderEmail(t *testing.T) {
	req := validRequest()
	req.Holder.Email = "Ada <ada@example.com>, bob@example.com"
	err := req.Validate()
	assert.ErrorIs(t, err, ErrInvalid)
	var inv *InvalidError
	if assert.ErrorAs(t, err, &inv) {
		assert.Equal(t, "Holder.Email", inv.Field)
	}
	req.Holder.Email = "ada@example.com"
	assert.NoError(t, req.Validate())
}

func TestValidateEmailFieldNamesTheField(t *testing.T) {
	err := ValidateEmailField("Emails[2]", "Ada <ada@example.com>")
	var ie *InvalidError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "Emails[2]", ie.Field)
	assert.NoError(t, ValidateEmailField("Emails[2]", "ada@example.com"))
}
