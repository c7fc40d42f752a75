package august

import (
	"strings"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPartnerUserIDRoundTrip(t *testing.T) {
	id := newGrantID()
	require.True(t, validGrantID(id))
	key := strings.Repeat("k", access.MaxKeyLength)
	doors := []string{"A6697750D607098BAE8D6BAA11EF8063", "F0000000000000000000000000000001"}
	p := encodePartnerUserID(id, key, "Ada.Lovelace+x@example.com", doors)
	ref, ok := decodePartnerUserID(p)
	require.True(t, ok)
	assert.Equal(t, grantRef{id: id, key: key, email: "Ada.Lovelace+x@example.com", doors: doors, partnerUserID: p}, ref)

	// A grant made before its doors were kept names none: its PINs may be
	// on any lock.
	old := partnerPrefix + id + "." + b64.EncodeToString([]byte("b-1")) + "." + b64.EncodeToString([]byte("a@example.com"))
	ref, ok = decodePartnerUserID(old)
	require.True(t, ok)
	assert.Nil(t, ref.doors)
	assert.Equal(t, "b-1", ref.key)

	for _, bad := range []string{"", "booking-42", "doorkit1.", "doorkit1.zz.a.b", "doorkit1." + id + ".!!.a", "doorkit1." + id + ".a",
		"doorkit1." + id + ".a.b.AAAA", "doorkit1." + id + ".a.b.", "doorkit1." + id + ".a.b.c.d"} {
		_, ok := decodePartnerUserID(bad)
		assert.False(t, ok, bad)
	}
}

func TestHolderNamesAndRandomPIN(t *testing.T) {
	for in, want := range map[access.Person][2]string{
		{Name: "Ada  King Lovelace"}: {"Ada", "King Lovelace"},
		{Name: "Plato"}:              {"Plato", "Guest"},
		{Email: "grace@example.com"}: {"grace", "Guest"},
		{}:                           {"Guest", "Guest"},
	} {
		first, last := holderNames(in)
		assert.Equal(t, want, [2]string{first, last}, in)
	}
	pin, err := randomPIN([]PINRules{{MinLength: 4, MaxLength: 6}, {MinLength: 5, MaxLength: 8}})
	require.NoError(t, err)
	assert.Len(t, pin.Reveal(), 6)
	assert.NoError(t, ValidatePIN(pin.Reveal(), nil))
	pin, err = randomPIN([]PINRules{{MinLength: 4, MaxLength: 4}})
	require.NoError(t, err)
	assert.Len(t, pin.Reveal(), 4)
	_, err = randomPIN([]PINRules{{MinLength: 4, MaxLength: 4}, {MinLength: 6, MaxLength: 8}})
	assert.ErrorIs(t, err, access.ErrInvalid)
}
