package august_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// conformanceClient returns a client on a fresh fake whose webhook calls go
// straight to the client's handler, with an "operation" registration on
// every demo lock.
func conformanceClient(t testing.TB) (*august.Client, *augusttest.Server) {
	c, srv, _ := conformanceEnv(t)
	return c, srv
}

func conformanceEnv(t testing.TB, opts ...august.Option) (*august.Client, *augusttest.Server, *august.WebhookHandler) {
	t.Helper()
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	events, err := august.NewWebhookHandler(fakeHookHeader, fakeHookToken)
	require.NoError(t, err)
	srv.SetWebhookClient(&http.Client{Transport: handlerTransport{events}})
	c, err := august.New(append([]august.Option{
		august.WithBaseURL(srv.URL),
		august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey),
		august.WithTokens(srv.NewToken(augusttest.OwnerID), ""),
		august.WithWebhook(fakeHookURL, events),
		august.WithWebhookClientID(augusttest.ClientID),
		august.WithRetry(0, 0, 0),
	}, opts...)...)
	require.NoError(t, err)
	for _, id := range []string{augusttest.FrontDoorID, augusttest.BackDoorID, augusttest.GateID, augusttest.ShedID} {
		_, _, err := c.Webhooks.Register(context.Background(), id, august.WebhookRequest{URL: fakeHookURL,
			ClientID: augusttest.ClientID, Header: fakeHookHeader, Token: fakeHookToken,
			NotificationTypes: []august.NotificationType{august.NotifyOperation}})
		require.NoError(t, err)
	}
	return c, srv, events
}

// TestConformance runs the suite against the in-memory August with the
// sub-user join (a PIN loaded with a partnerUserID belongs to the sub-user
// it makes, which GET /partners/sub-user lists) and without it (a load makes
// no sub-user), since no document says which August does.
func TestConformance(t *testing.T) {
	for _, mode := range joinModes {
		t.Run(mode.name, func(t *testing.T) {
			conformance(t, func(srv *augusttest.Server) { srv.SetSubUserJoin(mode.join) })
		})
	}
}

// conformance runs the suite on fakes that setup configures.
func conformance(t *testing.T, setup func(*augusttest.Server)) {
	accesstest.Run(t, accesstest.Config{
		New: func(t *testing.T) accesstest.Fixture {
			c, srv := conformanceClient(t)
			setup(srv)
			return accesstest.Fixture{
				Impl:    c,
				Creates: func() int { return srv.CountPINCommands("load") },
				Live:    srv.LivePINs,
				LoseNextCreate: func() {
					srv.Inject(augusttest.Fault{Method: http.MethodPost, Path: "/locks/" + augusttest.FrontDoorID + "/pins",
						Count: 1, LoseAnswer: true})
				},
				// Every read fails, whichever the grant listing makes.
				FailListing: func() {
					srv.Inject(augusttest.Fault{Method: http.MethodGet, Count: 1 << 20, Status: http.StatusBadGateway})
				},
			}
		},
		Caps: accesstest.Capabilities{DoorLister: true, DoorOpener: true, Granter: true,
			GrantGetter: true, GrantLister: true, GrantUpdater: true},
		OpenDoor:     augusttest.FrontDoorID,
		UnknownDoor:  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
		GrantDoors:   []string{augusttest.FrontDoorID},
		Holder:       access.Person{Name: "Ada Lovelace", Email: "ada@example.com"},
		OtherHolder:  access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
		Credential:   access.CredentialPIN,
		UnknownGrant: "0123456789abcdef",
	})
}
