package august_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// A PIN command's result in a status this package does not know is no
// evidence: RevokeGrant keeps waiting for one it recognises, and ends in
// ErrOutcomeUnknown when none arrives, never in success.
func TestPINResultUnknownStatusIsNotConfirmation(t *testing.T) {
	c, srv, events := conformanceEnv(t)
	ctx := timeout(t)
	grant, err := c.CreateGrant(ctx, grantRequest("booking-unknown-status", "135792"))
	require.NoError(t, err)
	require.NoError(t, srv.WaitDeliveries(ctx))
	partner := grant.Native.(*august.GrantNative).PartnerUserID

	srv.HoldDeliveries(true) // August's own result never comes
	srv.SetPINCommandHook(func(call augusttest.PINCommandCall) {
		if call.Action == "delete" {
			postTo(t, events, `{"eventID":"odd-1","notificationType":"pincommand","lockID":"`+augusttest.FrontDoorID+
				`","action":"delete","status":"queued_for_keypad","partnerUserID":"`+partner+`"}`)
		}
	})
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err = c.RevokeGrant(short, grant.ID)
	require.Error(t, err, "a result in an unknown status confirmed the delete")
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)

	srv.HoldDeliveries(false)
	require.NoError(t, srv.WaitDeliveries(ctx))
}

func TestEventSucceeded(t *testing.T) {
	for _, c := range []struct {
		ev   august.Event
		want bool
	}{
		{august.Event{Status: "success"}, true},
		{august.Event{Status: "SUCCESS"}, true},
		{august.Event{Result: &august.EventResult{Word: "success"}}, true},
		{august.Event{Status: "success", Error: &august.EventError{Message: "x"}}, false},
		{august.Event{Status: "failure"}, false},
		{august.Event{Status: "queued"}, false},
		{august.Event{State: "loaded"}, false},
		{august.Event{}, false},
	} {
		assert.Equal(t, c.want, c.ev.Succeeded(), "%+v", c.ev)
	}
}

// Without a webhook handler an accepted update is no proof the PIN
// changed: only the PIN listing read back is, and while it shows the
// update under way the call ends in ErrOutcomeUnknown, not success.
func TestUpdateWithoutHandlerNeedsTheListing(t *testing.T) {
	env := newFakeEnv(t, august.WithWebhook(fakeHookURL, nil))
	c, srv := env.c, env.srv
	ctx := timeout(t)
	req := grantRequest("booking-update-nohandler", "135794")
	grant, err := c.CreateGrant(ctx, req)
	require.NoError(t, err)
	require.NoError(t, srv.WaitDeliveries(ctx))

	srv.HoldDeliveries(true)
	later := access.Window{Start: req.Window.Start.Add(time.Hour), End: req.Window.End.Add(time.Hour)}
	_, err = c.UpdateGrantWindow(ctx, grant.ID, later)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown, "August accepted the update; nothing shows it applied")
	srv.HoldDeliveries(false)
	require.NoError(t, srv.WaitDeliveries(ctx))
	g, err := c.GetGrant(ctx, grant.ID)
	require.NoError(t, err)
	assert.True(t, g.Window.Start.Equal(later.Start), "applied once August says so: %v", g.Window)
}
