package august_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// replicaPair is two replicas of one August account: each its own client
// and handler, sharing only a result store. August (the fake) calls
// replica A's handler only.
type replicaPair struct {
	srv   *augusttest.Server
	a, b  *august.Client
	hookA *august.WebhookHandler
	hookB *august.WebhookHandler
}

func newReplicaPair(t *testing.T, store access.ResultStore) *replicaPair {
	t.Helper()
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	p := &replicaPair{srv: srv}
	replica := func() (*august.Client, *august.WebhookHandler) {
		h, err := august.NewWebhookHandler(fakeHookHeader, fakeHookToken, august.WithResultStore(store))
		require.NoError(t, err)
		c, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(srv.Client()),
			august.WithAPIKey(augusttest.APIKey), august.WithTokens(srv.NewToken(augusttest.OwnerID), ""),
			august.WithWebhook(fakeHookURL, h), august.WithRetry(0, 0, 0))
		require.NoError(t, err)
		return c, h
	}
	p.a, p.hookA = replica()
	p.b, p.hookB = replica()
	srv.SetWebhookClient(&http.Client{Transport: handlerTransport{p.hookA}})
	_, _, err := p.a.Webhooks.Register(context.Background(), augusttest.FrontDoorID, august.WebhookRequest{URL: fakeHookURL,
		ClientID: augusttest.ClientID, Header: fakeHookHeader, Token: fakeHookToken,
		NotificationTypes: []august.NotificationType{august.NotifyOperation}})
	require.NoError(t, err)
	return p
}

// runReplicaScenario is the fleet scenario on a result store: a PIN result
// delivered to replica A completes the wait on replica B, a failed load
// seen by A shows as failed on B, and a repeat delivered to B after A is
// dropped.
func runReplicaScenario(t *testing.T, store access.ResultStore) {
	p := newReplicaPair(t, store)
	ctx := timeout(t)

	// B makes the grant; August's load result reaches A only.
	grant, err := p.b.CreateGrant(ctx, grantRequest("booking-fleet", "135790"))
	require.NoError(t, err)
	require.NoError(t, p.srv.WaitDeliveries(ctx))
	g, err := p.b.GetGrant(ctx, grant.ID)
	require.NoError(t, err)
	assert.Equal(t, access.GrantActive, g.State())

	// B revokes: it waits for the delete's result, which reaches A only.
	require.NoError(t, p.b.RevokeGrant(ctx, grant.ID))
	assert.Equal(t, 0, p.srv.LivePINs())
	assert.Zero(t, p.hookB.Stats().Received, "every result reached A")

	// A failed load, seen by A, shows as failed on B.
	p.srv.FailPINCommand("246810", "keypad out of range")
	failed, err := p.b.CreateGrant(ctx, grantRequest("booking-fleet-2", "246810"))
	require.NoError(t, err)
	require.NoError(t, p.srv.WaitDeliveries(ctx))
	g, err = p.b.GetGrant(ctx, failed.ID)
	require.NoError(t, err)
	assert.Equal(t, access.GrantFailed, g.State())
	require.Len(t, g.Doors, 1)
	assert.Equal(t, "keypad out of range", g.Doors[0].Reason)
	// Revoked on A, it is gone on B too.
	require.NoError(t, p.a.RevokeGrant(ctx, failed.ID))
	_, err = p.b.GetGrant(ctx, failed.ID)
	assert.ErrorIs(t, err, access.ErrNotFound)

	// A repeat delivered to B after A is dropped.
	before := p.hookA.Stats().Received
	body := `{"eventID":"fleet-1","lockID":"` + augusttest.FrontDoorID + `","notificationType":"battery","battery":0.5}`
	postTo(t, p.hookA, body)
	postTo(t, p.hookB, body)
	assert.Equal(t, before+1, p.hookA.Stats().Received)
	assert.Equal(t, uint64(1), p.hookB.Stats().Duplicates)
}

func TestReplicasShareWebhookResults(t *testing.T) {
	runReplicaScenario(t, access.NewMemoryResultStore())
}

// Without a shared store B never hears of the results A receives: the
// scenario above is what the store buys.
func TestReplicasWithoutSharedStoreMissResults(t *testing.T) {
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	hookA, err := august.NewWebhookHandler(fakeHookHeader, fakeHookToken)
	require.NoError(t, err)
	hookB, err := august.NewWebhookHandler(fakeHookHeader, fakeHookToken)
	require.NoError(t, err)
	p := hookB.Expect(august.PINKey(augusttest.FrontDoorID, august.PINActionLoad, "booking-1"))
	postTo(t, hookA, `{"eventID":"e1","lockID":"`+augusttest.FrontDoorID+`","action":"load","status":"success","state":"loaded","partnerUserID":"booking-1"}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = p.Wait(ctx)
	assert.ErrorIs(t, err, context.Canceled)

	shared := access.NewMemoryResultStore()
	hookA, err = august.NewWebhookHandler(fakeHookHeader, fakeHookToken, august.WithResultStore(shared))
	require.NoError(t, err)
	hookB, err = august.NewWebhookHandler(fakeHookHeader, fakeHookToken, august.WithResultStore(shared))
	require.NoError(t, err)
	p = hookB.Expect(august.PINKey(augusttest.FrontDoorID, august.PINActionLoad, "booking-1"))
	postTo(t, hookA, `{"eventID":"e1","lockID":"`+augusttest.FrontDoorID+`","action":"load","status":"success","state":"loaded","partnerUserID":"booking-1"}`)
	ev, err := p.Wait(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "e1", ev.EventID)
}

func postTo(t *testing.T, h http.Handler, body string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, fakeHookURL, strings.NewReader(body))
	req.Header.Set(fakeHookHeader, fakeHookToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, "webhook answered %d", rec.Code)
}
