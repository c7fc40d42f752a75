package resivo_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

func authorizationPath(grantID string) string {
	site, id, _ := cutID(grantID)
	return "/" + site + "/authorizations/" + id
}

func cutID(grantID string) (site, id string, ok bool) {
	for i := range grantID {
		if grantID[i] == '/' {
			return grantID[:i], grantID[i+1:], true
		}
	}
	return "", "", false
}

// A revoke whose answer was lost is resent by the retry policy (a DELETE
// may be resent); resivo then answers 409, since the first one revoked it.
// The cancellation succeeded, and the authorization read back says so.
func TestRevokeWhoseAnswerWasLostIsDone(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := bookingRequest("BK-LOST-REVOKE")
	grant, _, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	_, id, _ := cutID(grant.ID)
	path := authorizationPath(grant.ID) + "/revoke"
	srv.Inject(resivotest.Fault{Path: path, Method: http.MethodDelete, Count: 1, LoseAnswer: true})

	require.NoError(t, access.EnsureRevokedByKey(ctx, c, req.Key), "the authorization is revoked: the cancellation is done")
	assert.Equal(t, 2, srv.Count(http.MethodDelete, path), "the lost revoke was resent, and answered 409")
	for _, a := range srv.Authorizations() {
		if a.ID == id {
			assert.True(t, a.Revoked)
		}
	}
	// The key is free again: a new booking under it creates.
	_, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
}

// A 409 to a revoke is a conflict unless resivo's own record says the
// authorization is revoked: the answer's body is not documented, so it is
// not taken for "already revoked".
func TestRevokeConflictOnALiveAuthorizationStaysAConflict(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	grant, err := c.CreateGrant(ctx, bookingRequest("BK-409"))
	require.NoError(t, err)
	path := authorizationPath(grant.ID) + "/revoke"
	srv.Inject(resivotest.Fault{Path: path, Method: http.MethodDelete, Count: 1, Status: http.StatusConflict})

	err = c.RevokeGrant(ctx, grant.ID)
	require.ErrorIs(t, err, access.ErrConflict)
	assert.NotErrorIs(t, err, access.ErrNotFound)
	assert.False(t, srv.Authorizations()[0].Revoked)
	assert.Equal(t, 2, srv.Count(http.MethodGet, authorizationPath(grant.ID)), "read before the revoke, and again after the 409")

	_, revoked, _, err := c.Authorizations.RevokeIfLive(ctx, resivotest.SiteID, srv.Authorizations()[0].ID)
	require.NoError(t, err, "no fault left: revoked now")
	assert.True(t, revoked)
}

// RevokeIfLive, the public client's rule, takes a lost answer the same way.
func TestRevokeIfLiveWhoseAnswerWasLost(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	grant, err := c.CreateGrant(ctx, bookingRequest("BK-LOST-2"))
	require.NoError(t, err)
	_, id, _ := cutID(grant.ID)
	path := authorizationPath(grant.ID) + "/revoke"
	srv.Inject(resivotest.Fault{Path: path, Method: http.MethodDelete, Count: 1, LoseAnswer: true})

	a, revoked, _, err := c.Authorizations.RevokeIfLive(ctx, resivotest.SiteID, id)
	require.NoError(t, err)
	assert.True(t, revoked)
	assert.Equal(t, resivo.AuthorizationRevoked, a.Status, "the authorization as read after the 409")
}

// A 503 with Retry-After says resivo did not act on the create: the key is
// not left pending, and the next trigger creates.
func TestUnavailableCreateWithRetryAfterFreesTheKey(t *testing.T) {
	c, srv := newFakeClient(t, resivo.WithMaxRetryAfter(time.Millisecond))
	ctx := context.Background()
	srv.Inject(resivotest.Fault{Path: remoteAccessPath, Method: http.MethodPost, Count: 1,
		Status: http.StatusServiceUnavailable, RetryAfter: 2 * time.Second})
	req := bookingRequest("BK-503")

	_, err := c.CreateGrant(ctx, req)
	require.ErrorIs(t, err, access.ErrUnavailable)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown, "a 503 with Retry-After says resivo did nothing")
	assert.Empty(t, srv.Authorizations())

	_, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err, "the key is not left pending")
	assert.Equal(t, access.EnsureCreated, outcome)
	assert.Len(t, srv.Authorizations(), 1)
}

// A 500 may have been acted on: the key stays pending.
func TestServerErrorOnCreateKeepsTheKeyPending(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	srv.Inject(resivotest.Fault{Path: remoteAccessPath, Method: http.MethodPost, Count: 1, Status: http.StatusInternalServerError})
	srv.Inject(resivotest.Fault{Path: remoteAccessPath, Method: http.MethodPost, Count: 1,
		Status: http.StatusServiceUnavailable}) // no Retry-After: may have been acted on
	for _, key := range []string{"BK-500", "BK-503-BARE"} {
		req := bookingRequest(key)
		_, err := c.CreateGrant(ctx, req)
		require.ErrorIs(t, err, access.ErrOutcomeUnknown, key)
		_, _, err = access.EnsureGrant(ctx, c, req)
		var pending *resivo.PendingKeyError
		assert.ErrorAs(t, err, &pending, key)
	}
	assert.Equal(t, 2, srv.Count(http.MethodPost, remoteAccessPath), "nothing resent, nothing created after")
}

// A credential status resivo does not document keeps the access pending,
// with the status in the reason: taking it for a failure would make every
// trigger revoke and re-create, and resivo email the visitor each time.
func TestUnknownCredentialStatusIsPendingNotFailed(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	srv.SetCredentialStatus("delivered")
	req := bookingRequest("BK-UNKNOWN-STATUS")

	first, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
	for range 3 {
		again, outcome, err := access.EnsureGrant(ctx, c, req)
		require.NoError(t, err)
		assert.Equal(t, access.EnsureUnchanged, outcome)
		assert.Equal(t, first.ID, again.ID)
		assert.Equal(t, access.GrantPending, again.State())
		assert.Contains(t, again.Doors[0].Reason, `"delivered"`)
	}
	assert.Len(t, srv.Messages(), 1, "the visitor got one email")
	assert.Len(t, srv.Authorizations(), 1)
}

// resivo's lookup by key reads the KeyStore, not resivo: it is not
// authoritative, so EnsureGrant never takes an empty lookup for proof that
// a create of unknown outcome made nothing.
func TestKeyLookupIsNotAuthoritative(t *testing.T) {
	c, _ := newFakeClient(t)
	var lister access.GrantLister = c
	a, ok := lister.(access.KeyAuthority)
	require.True(t, ok)
	assert.False(t, a.KeyLookupAuthoritative())
}
