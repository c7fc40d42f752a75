package august_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// openDoorEnv is a client with a webhook handler on the fake, whose
// asynchronous results are held until released.
type openDoorEnv struct {
	c      *august.Client
	srv    *augusttest.Server
	events *august.WebhookHandler
}

func newOpenDoorEnv(t *testing.T) *openDoorEnv {
	c, srv, events := conformanceEnv(t)
	srv.HoldDeliveries(true)
	return &openDoorEnv{c: c, srv: srv, events: events}
}

// open starts OpenDoor and returns once the fake holds its unlock; the
// result comes on the channel.
func (e *openDoorEnv) open(t *testing.T, ctx context.Context) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- e.c.OpenDoor(ctx, augusttest.FrontDoorID) }()
	require.Eventually(t, func() bool { return e.srv.HeldDeliveries() == 1 }, 10*time.Second, time.Millisecond,
		"the unlock reaches the fake")
	return done
}

// deliver posts an event to the handler as August would, with the
// registered header; it returns when the handler has dispatched it.
func (e *openDoorEnv) deliver(t *testing.T, ev map[string]any) {
	t.Helper()
	body, err := json.Marshal(ev)
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, fakeHookURL, strings.NewReader(string(body)))
	req.Header.Set(fakeHookHeader, fakeHookToken)
	w := httptest.NewRecorder()
	e.events.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code)
}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Events that are not the result of OpenDoor's own unlock never complete
// it: each is delivered while the unlock is held, then the unlock's real
// result (a jam) is released, and that is what OpenDoor reports.
func TestOpenDoorTakesOnlyItsOwnResult(t *testing.T) {
	now := time.Now()
	remote := func(fields map[string]any) map[string]any {
		ev := map[string]any{"notificationType": "operation", "lockID": augusttest.FrontDoorID, "action": "unlock",
			"callingUserID": augusttest.OwnerID, "remoteEvent": 1, "status": "kAugLockState_Unlocked",
			"dateTime": iso(now), "info": map[string]any{"action": "unlock", "startTime": iso(now)}}
		for k, v := range fields {
			if v == nil {
				delete(ev, k)
			} else {
				ev[k] = v
			}
		}
		return ev
	}
	hourAgo := now.Add(-time.Hour)
	for name, decoy := range map[string]map[string]any{
		"an unlock dated an hour before the command": remote(map[string]any{"eventID": "old",
			"dateTime": iso(hourAgo), "info": map[string]any{"action": "unlock", "startTime": iso(hourAgo)}}),
		"a manual_unlock": {"eventID": "manual", "notificationType": "operation", "lockID": augusttest.FrontDoorID,
			"action": "manual_unlock", "status": "unlocked", "callingUserID": "manualunlock", "dateTime": iso(now)},
		"another user's pin_unlock": {"eventID": "pin", "notificationType": "operation", "lockID": augusttest.FrontDoorID,
			"action": "pin_unlock", "status": "unlocked", "callingUserID": augusttest.GuestID, "dateTime": iso(now)},
		"another user's remote unlock":   remote(map[string]any{"eventID": "guest", "callingUserID": augusttest.GuestID}),
		"the in-between state unlocking": remote(map[string]any{"eventID": "unlocking", "status": "kAugLockState_Unlocking"}),
		"an unlock naming no user":       remote(map[string]any{"eventID": "nouser", "callingUserID": nil}),
		"an unlock without a date":       remote(map[string]any{"eventID": "nodate", "dateTime": nil, "info": nil, "remoteEvent": 1}),
		"an unlock not marked remote": remote(map[string]any{"eventID": "local", "remoteEvent": nil,
			"info": map[string]any{"startTime": iso(now)}}),
	} {
		t.Run(name, func(t *testing.T) {
			env := newOpenDoorEnv(t)
			ctx := timeout(t)
			env.srv.SetLockError(augusttest.FrontDoorID, 530)
			done := env.open(t, ctx)
			env.deliver(t, decoy)
			env.srv.HoldDeliveries(false)
			err := <-done
			assert.ErrorIs(t, err, august.ErrJammed, "the decoy was not taken; the real result was")
		})
	}
}

// The real result completes OpenDoor, also when August's clock runs a
// little behind this host's; an event that reads an hour old (August's
// clock an hour behind) is never taken, and without a result OpenDoor ends
// as access.ErrOutcomeUnknown.
func TestOpenDoorClockSkew(t *testing.T) {
	for name, c := range map[string]struct {
		behind time.Duration
		opened bool
	}{
		"in step":        {0, true},
		"10 s behind":    {10 * time.Second, true},
		"an hour behind": {time.Hour, false},
	} {
		t.Run(name, func(t *testing.T) {
			env := newOpenDoorEnv(t)
			env.srv.Advance(-c.behind)
			ctx, cancel := context.WithCancel(timeout(t))
			defer cancel()
			done := env.open(t, ctx)
			env.srv.HoldDeliveries(false)
			require.NoError(t, env.srv.WaitDeliveries(ctx))
			if c.opened {
				require.NoError(t, <-done)
			} else {
				cancel() // the result was delivered and not taken
				err := <-done
				assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
			}
			assert.False(t, env.srv.Locked(augusttest.FrontDoorID), "the fake unlocked the door either way")
		})
	}
}

// A failed result is never a success: the shape some senders use
// (statusCode and result) is read, and a jam tied to the command keeps its
// sentinel.
func TestOpenDoorFailedResults(t *testing.T) {
	tie := map[string]any{"callingUserID": augusttest.OwnerID, "remoteEvent": 1, "dateTime": iso(time.Now())}
	for name, c := range map[string]struct {
		ev   map[string]any
		want error
	}{
		"statusCode 530": {merge(untiedJam, tie), august.ErrJammed},
		"jammed status": {merge(map[string]any{"notificationType": "operation", "lockID": augusttest.FrontDoorID,
			"action": "unlock", "status": "FAILED_BRIDGE_ERROR_LOCK_JAMMED"}, tie), august.ErrJammed},
		"result failed, no status": {merge(map[string]any{"notificationType": "operation", "lockID": augusttest.FrontDoorID,
			"action": "unlock", "result": "failed"}, tie), access.ErrOutcomeUnknown},
		"408": {merge(map[string]any{"notificationType": "operation", "lockID": augusttest.FrontDoorID,
			"action": "unlock", "error": map[string]any{"status": 408, "code": 408, "message": "timeout"}}, tie),
			access.ErrOutcomeUnknown},
	} {
		t.Run(name, func(t *testing.T) {
			env := newOpenDoorEnv(t)
			done := env.open(t, timeout(t))
			env.deliver(t, c.ev)
			err := <-done
			require.Error(t, err)
			assert.ErrorIs(t, err, c.want)
		})
	}
}

// untiedJam is a failure that names no user and no date.
var untiedJam = map[string]any{"notificationType": "operation", "lockID": augusttest.FrontDoorID, "action": "unlock",
	"statusCode": 530, "result": map[string]any{"code": 530, "message": "Mechanical timeout or jam"}}

// A failure that August does not tie to the command may be another's: the
// wait goes on, and this unlock's own result decides; without one, the
// outcome is unknown and the error names the failure seen.
func TestOpenDoorUntiedFailure(t *testing.T) {
	env := newOpenDoorEnv(t)
	done := env.open(t, timeout(t))
	env.deliver(t, untiedJam)
	env.srv.HoldDeliveries(false)
	require.NoError(t, <-done, "the unlock's own result came after")

	env = newOpenDoorEnv(t)
	ctx, cancel := context.WithCancel(timeout(t))
	defer cancel()
	done = env.open(t, ctx)
	env.deliver(t, untiedJam)
	cancel()
	err := <-done
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.NotErrorIs(t, err, august.ErrJammed)
	assert.Contains(t, err.Error(), "Mechanical timeout or jam")
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// August publishes no webhook body: OpenDoor against each shape the fake
// can send. A success is reported only where the event names the user, a
// remote source and a date; a jam is never a success.
func TestOpenDoorAgainstEventShapes(t *testing.T) {
	for name, c := range map[string]struct {
		shape        augusttest.OperationEventShape
		opened, jam  error
		openedProven bool
	}{
		"push":       {augusttest.OperationEventPush, nil, august.ErrJammed, true},
		"statusCode": {augusttest.OperationEventStatusCode, nil, august.ErrJammed, true},
		"bare":       {augusttest.OperationEventBare, access.ErrOutcomeUnknown, access.ErrOutcomeUnknown, false},
	} {
		t.Run(name, func(t *testing.T) {
			env := newOpenDoorEnv(t)
			env.srv.SetOperationEventShape(c.shape)
			ctx, cancel := context.WithCancel(timeout(t))
			defer cancel()
			done := env.open(t, ctx)
			env.srv.HoldDeliveries(false)
			require.NoError(t, env.srv.WaitDeliveries(ctx))
			if !c.openedProven {
				cancel() // delivered and not taken
			}
			err := <-done
			if c.opened == nil {
				require.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, c.opened)
			}

			env = newOpenDoorEnv(t)
			env.srv.SetOperationEventShape(c.shape)
			env.srv.SetLockError(augusttest.FrontDoorID, 530)
			ctx, cancel = context.WithCancel(timeout(t))
			defer cancel()
			done = env.open(t, ctx)
			env.srv.HoldDeliveries(false)
			require.NoError(t, env.srv.WaitDeliveries(ctx))
			if !c.openedProven {
				cancel() // delivered and not taken
			}
			err = <-done
			require.Error(t, err)
			assert.ErrorIs(t, err, c.jam)
		})
	}
}
