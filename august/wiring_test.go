package august_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// With WithWebhook(url, handler) and WithOAuth the client registers the
// webhook for a lock's operation events itself, once per lock: an async
// OpenDoor needs no Webhooks.Register of the caller's.
func TestOpenDoorRegistersItsWebhook(t *testing.T) {
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	h, err := august.NewWebhookHandler(fakeHookHeader, fakeHookToken)
	require.NoError(t, err)
	srv.SetWebhookClient(&http.Client{Transport: handlerTransport{h}})
	c, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey), august.WithTokens(srv.NewToken(augusttest.OwnerID), ""),
		august.WithOAuth(augusttest.ClientID, augusttest.OAuthClientSecret, "https://partner.example.com/oauth"),
		august.WithWebhook(fakeHookURL, h), august.WithRetry(0, 0, 0))
	require.NoError(t, err)
	ctx := timeout(t)
	require.NoError(t, c.OpenDoor(ctx, augusttest.FrontDoorID))
	require.NoError(t, c.OpenDoor(ctx, augusttest.FrontDoorID))
	assert.Equal(t, 1, srv.Count(http.MethodPost, "/webhook/"+augusttest.FrontDoorID), "registered once")
	assert.Equal(t, 2, srv.Count(http.MethodPut, "/remoteoperate/"+augusttest.FrontDoorID+"/unlock"))
}

// WithConfirmTimeout bounds the wait for a result instead of the constant.
func TestConfirmTimeoutOption(t *testing.T) {
	_, err := august.New(august.WithAPIKey(augusttest.APIKey), august.WithConfirmTimeout(0))
	assert.ErrorIs(t, err, access.ErrInvalid)
	c, srv, _ := conformanceEnv(t, august.WithConfirmTimeout(50*time.Millisecond))
	srv.HoldDeliveries(true) // no result arrives
	err = c.OpenDoor(context.Background(), augusttest.FrontDoorID)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// GrantPINKey waits for a grant's PIN result without reaching into Native.
func TestGrantPINKey(t *testing.T) {
	c, srv, events := conformanceEnv(t)
	ctx := timeout(t)
	srv.HoldDeliveries(true)
	grant, err := c.CreateGrant(ctx, grantRequest("booking-key", "135796"))
	require.NoError(t, err)
	key, err := august.GrantPINKey(grant, augusttest.FrontDoorID, august.PINActionLoad)
	require.NoError(t, err)
	loaded := events.Expect(key)
	srv.HoldDeliveries(false)
	ev, err := loaded.Wait(ctx)
	require.NoError(t, err)
	assert.True(t, ev.Succeeded())
	_, err = august.GrantPINKey(&access.Grant{}, augusttest.FrontDoorID, august.PINActionLoad)
	assert.ErrorIs(t, err, access.ErrInvalid)
	_, err = august.GrantPINKey(nil, augusttest.FrontDoorID, august.PINActionLoad)
	assert.ErrorIs(t, err, access.ErrInvalid)
}
