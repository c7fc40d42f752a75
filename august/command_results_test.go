package august_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// August posts PIN-command results to the webhook URL the command names,
// and documents the static header for lock webhooks only. Whether the
// results carry it or not, a moved booking and a cancellation complete:
// the handler accepts the URL secret the client put in that URL.
func TestGrantChangesConfirmedWithOrWithoutHeader(t *testing.T) {
	for name, header := range map[string]bool{"results carry the header": true, "results carry no header": false} {
		t.Run(name, func(t *testing.T) {
			c, srv, events := conformanceEnv(t)
			srv.SetCommandResultHeader(header)
			ctx := timeout(t)
			grant, err := c.CreateGrant(ctx, grantRequest("booking-moved", ""))
			require.NoError(t, err)

			moved := access.Window{Start: grant.Window.Start.Add(24 * time.Hour), End: grant.Window.End.Add(24 * time.Hour)}
			g, err := c.UpdateGrantWindow(ctx, grant.ID, moved)
			require.NoError(t, err, "the moved booking is confirmed")
			assert.True(t, g.Window.Start.Equal(moved.Start), "window %v", g.Window)
			pins := srv.PINs(augusttest.FrontDoorID)
			require.Len(t, pins, 1)
			assert.True(t, pins[0].Start.Equal(moved.Start))

			require.NoError(t, c.RevokeGrant(ctx, grant.ID), "the cancellation is confirmed")
			assert.Zero(t, srv.LivePINs())

			for _, d := range srv.Deliveries() {
				assert.Equal(t, http.StatusOK, d.Status, "%s to %s", d.Type, d.URL)
				if d.Type == "pincommand" {
					assert.Equal(t, header, d.Header.Get(fakeHookHeader) != "", "header on the result")
				}
			}
			assert.Zero(t, events.Stats().Refused)
		})
	}
}

// The conformance suite holds when command results carry no header.
func TestConformanceCommandResultsWithoutHeader(t *testing.T) {
	conformance(t, func(srv *augusttest.Server) { srv.SetCommandResultHeader(false) })
}

// The URL sent with each command carries the handler's URL secret, and
// the logged request body does not show it.
func TestCommandWebhookURLCarriesTheSecret(t *testing.T) {
	const secret = "an-explicit-url-secret-0001"
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	srv.SetCommandResultHeader(false)
	events, err := august.NewWebhookHandler(fakeHookHeader, fakeHookToken, august.WithURLSecret(secret))
	require.NoError(t, err)
	srv.SetWebhookClient(&http.Client{Transport: handlerTransport{events}})
	var logged bytes.Buffer
	c, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey), august.WithTokens(srv.NewToken(augusttest.OwnerID), ""),
		august.WithWebhook(fakeHookURL, events), august.WithRetry(0, 0, 0),
		august.WithLogger(slog.New(slog.NewJSONHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		august.WithLogBodies())
	require.NoError(t, err)
	ctx := timeout(t)
	grant, err := c.CreateGrant(ctx, grantRequest("booking-secret", ""))
	require.NoError(t, err)
	require.NoError(t, c.RevokeGrant(ctx, grant.ID))

	var commands int
	for _, d := range srv.Deliveries() {
		u, err := url.Parse(d.URL)
		require.NoError(t, err)
		assert.Equal(t, secret, u.Query().Get(august.URLSecretParam))
		assert.Equal(t, strings.TrimSuffix(fakeHookURL, "/"), u.Scheme+"://"+u.Host+u.Path)
		assert.Equal(t, http.StatusOK, d.Status)
		commands++
	}
	assert.Equal(t, 2, commands, "load and delete")
	assert.Contains(t, logged.String(), "/pins", "the commands were logged")
	assert.NotContains(t, logged.String(), secret)

	// A process that sends commands but does not receive their results
	// gives the secret itself; it must agree with a local handler.
	_, err = august.New(august.WithAPIKey(augusttest.APIKey), august.WithWebhook(fakeHookURL, events),
		august.WithWebhookURLSecret("another-url-secret-000001"))
	assert.Error(t, err)
	_, err = august.New(august.WithAPIKey(augusttest.APIKey),
		august.WithWebhook(fakeHookURL+"?"+august.URLSecretParam+"=in-the-url-000000001", nil))
	assert.Error(t, err, "the secret is not given inside the URL")
}

// A process without a handler adds the secret it is given, and the
// receiving process's handler (another replica) accepts the results.
func TestCommandResultsReachAnotherReplica(t *testing.T) {
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	srv.SetCommandResultHeader(false)
	receiver, err := august.NewWebhookHandler(fakeHookHeader, fakeHookToken)
	require.NoError(t, err)
	srv.SetWebhookClient(&http.Client{Transport: handlerTransport{receiver}})
	sender, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey), august.WithTokens(srv.NewToken(augusttest.OwnerID), ""),
		august.WithWebhook(fakeHookURL, nil), august.WithWebhookURLSecret(august.DeriveURLSecret(fakeHookToken)))
	require.NoError(t, err)
	ctx := timeout(t)
	_, err = sender.CreateGrant(ctx, grantRequest("booking-replica", ""))
	require.NoError(t, err)
	require.NoError(t, srv.WaitDeliveries(ctx))
	assert.Equal(t, uint64(1), receiver.Stats().Received)
	assert.Zero(t, receiver.Stats().Refused)
}
