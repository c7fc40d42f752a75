package access

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGrantFilterValidate(t *testing.T) {
	assert.NoError(t, GrantFilter{}.Validate())
	assert.NoError(t, GrantFilter{Key: "booking-1", HolderEmail: "ADA@example.com", DoorID: "anything"}.Validate(),
		"door ids are the vendor's to check")
	for name, f := range map[string]GrantFilter{
		"blank key":        {Key: " "},
		"key too long":     {Key: strings.Repeat("k", MaxKeyLength+1)},
		"key with newline": {Key: "a\nb"},
		"email list":       {HolderEmail: "ada@example.com, bob@example.com"},
		"email no domain":  {HolderEmail: "ada@"},
	} {
		assert.ErrorIs(t, f.Validate(), ErrInvalid, name)
	}
}
