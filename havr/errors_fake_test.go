package havr_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

// A wrong password is answered 401 invalid_credentials: a refused
// credential, not a malformed request.
func TestWrongPasswordIsUnauthorized(t *testing.T) {
	c, _ := newFakeClient(t, havr.WithPassword(havrtest.OwnerEmail, "Wrong-Passw0rd!"))
	_, _, err := c.DoorLocks.List(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	assert.NotErrorIs(t, err, access.ErrInvalid)
	assert.NotContains(t, err.Error(), "Wrong-Passw0rd!")
}
