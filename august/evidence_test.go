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
