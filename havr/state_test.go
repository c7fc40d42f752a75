package havr_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

// A shared key status Havr does not document keeps the door pending with
// the status in the reason. Were it failed, every trigger would revoke and
// re-create the grant, and Havr email the visitor a new link each time.
func TestUnknownSharedKeyStatusIsPendingNotFailed(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := access.GrantRequest{Key: "BK-STATUS", DoorIDs: []string{id(havrtest.FrontDoorID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()}
	first, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	require.Equal(t, access.EnsureCreated, outcome)
	keys := srv.SharedKeys()
	require.Len(t, keys, 1)
	require.True(t, srv.SetSharedKeyStatus(keys[0].ID, "suspended_by_owner"))

	for range 3 {
		again, outcome, err := access.EnsureGrant(ctx, c, req)
		require.NoError(t, err)
		assert.Equal(t, access.EnsureUnchanged, outcome)
		assert.Equal(t, first.ID, again.ID)
		assert.Equal(t, access.GrantPending, again.State())
		assert.Contains(t, again.Doors[0].Reason, `"suspended_by_owner"`)
	}
	assert.Len(t, srv.Links(), 1, "the visitor got one link")
	assert.Len(t, srv.SharedKeys(), 1)
}

// Havr gives shared keys two statuses, active and waiting_for_user; it
// gives "inactive" to door locks and accounts, which become active again.
// A key listed inactive is no evidence its grant is gone: EnsureGrant keeps
// the grant rather than make a second one beside it, and EnsureRevokedByKey
// deletes the key rather than report the grant already revoked.
func TestInactiveSharedKeyIsNotGone(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := access.GrantRequest{Key: "BK-INACTIVE", DoorIDs: []string{id(havrtest.FrontDoorID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()}
	first, _, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	keys := srv.SharedKeys()
	require.Len(t, keys, 1)
	require.True(t, srv.SetSharedKeyStatus(keys[0].ID, "inactive"))

	got, err := c.GetGrant(ctx, first.ID)
	require.NoError(t, err)
	assert.Equal(t, access.GrantPending, got.State())
	assert.Contains(t, got.Doors[0].Reason, `"inactive"`)

	again, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, first.ID, again.ID)
	assert.Len(t, srv.SharedKeys(), 1, "no second grant beside the inactive key")
	assert.Len(t, srv.Links(), 1, "the visitor got one link")

	require.NoError(t, access.EnsureRevokedByKey(ctx, c, req.Key))
	assert.Equal(t, 1, srv.Count(http.MethodDelete, "/v1/shared_keys/"+id(keys[0].ID)))
	assert.Empty(t, srv.SharedKeys(), "the inactive key was deleted")
}

// The statuses doorkit knows keep their meaning.
func TestKnownSharedKeyStatuses(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	grant, err := c.CreateGrant(ctx, access.GrantRequest{DoorIDs: []string{id(havrtest.FrontDoorID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()})
	require.NoError(t, err)
	keyID := srv.SharedKeys()[0].ID
	for status, want := range map[string]access.GrantState{
		"active":                 access.GrantActive,
		"waiting_for_user":       access.GrantPending,
		"pending":                access.GrantPending,
		"waiting_for_activation": access.GrantPending,
		"rejected":               access.GrantRevoked,
		"deleted":                access.GrantRevoked,
		"inactive":               access.GrantPending, // not gone: see TestInactiveSharedKeyIsNotGone
	} {
		require.True(t, srv.SetSharedKeyStatus(keyID, status))
		got, err := c.GetGrant(ctx, grant.ID)
		require.NoError(t, err, status)
		assert.Equal(t, want, got.Doors[0].State, status)
	}
}

// Havr's lookup by key is authoritative: after a create that failed with a
// 500 (which the fake did not act on), the lookup finds nothing and
// EnsureGrant creates once more, in the same call.
func TestEnsureGrantCreatesAgainOnHavrsWordThatNothingWasMade(t *testing.T) {
	c, srv := newFakeClient(t)
	require.True(t, c.KeyLookupAuthoritative())
	ctx := context.Background()
	srv.Inject(havrtest.Fault{Method: http.MethodPost, Path: createLinkPath, Count: 1, Status: http.StatusInternalServerError})
	req := access.GrantRequest{Key: "BK-500", DoorIDs: []string{id(havrtest.FrontDoorID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()}
	_, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
	assert.Equal(t, 2, srv.Count(http.MethodPost, createLinkPath))
	assert.Len(t, srv.SharedKeys(), 1)
	assert.Len(t, srv.Links(), 1)
}

// A grant whose key was made to repeat in Havr's app gives access after the
// booking, every week: EnsureGrant does not call it unchanged, and since an
// update cannot stop a repeat (Havr's PATCH takes no "none"), it deletes the
// grant and makes it again as a single period.
func TestEnsureGrantRemakesARepeatingGrant(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := access.GrantRequest{Key: "booking-weekly", DoorIDs: []string{id(havrtest.FrontDoorID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()}
	made, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	require.Equal(t, access.EnsureCreated, outcome)
	keyID := srv.SharedKeys()[0].ID
	weekly := havr.RecurrencyWeek
	_, _, err = c.SharedKeys.Update(ctx, havr.ID(keyID), havr.SharedKeyUpdate{Recurrency: &weekly})
	require.NoError(t, err)

	got, err := c.GetGrant(ctx, made.ID)
	require.NoError(t, err)
	assert.True(t, got.Window.End.IsZero(), "a repeating grant has no end: %v", got.Window)

	again, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome)
	assert.NotEqual(t, made.ID, again.ID)
	for _, k := range srv.SharedKeys() {
		if k.ID != keyID {
			assert.Contains(t, []string{"", "none"}, k.Recurrency, "the grant made again does not repeat")
		}
	}
	_, outcome, err = access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
}

// A two-door grant whose key on one door was made to repeat while the
// other's single period is over still opens that door every week: a plan
// revokes it when no booking wants its key, where it took the grant for
// ended (its window was the single period's).
func TestRepeatingKeyBesideAnEndedKeyIsRevoked(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := access.GrantRequest{Key: "booking-mixed", DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()}
	_, _, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	keys := srv.SharedKeys()
	require.Len(t, keys, 2)
	start := havr.At(time.Now().Add(-72 * time.Hour).Truncate(time.Second))
	end := havr.At(start.Add(2 * time.Hour))
	weekly, none := havr.RecurrencyWeek, havr.RecurrencyNone
	for i, k := range keys {
		rec := &none
		if i == 0 {
			rec = &weekly
		}
		_, _, err := c.SharedKeys.Update(ctx, havr.ID(k.ID), havr.SharedKeyUpdate{StartDate: &start, EndDate: &end, Recurrency: rec})
		require.NoError(t, err)
		require.True(t, srv.SetSharedKeyStatus(k.ID, "active"))
	}
	other := access.GrantRequest{Key: "booking-other", DoorIDs: []string{id(havrtest.FrontDoorID)},
		Holder: access.Person{Email: "ada@example.com"}, Window: future()}
	p, err := access.PlanGrants(ctx, c, access.Wanted(other), access.WithOwnedPrefix("booking-"))
	require.NoError(t, err)
	var revoked bool
	for _, ch := range p.Changes {
		revoked = revoked || (ch.Key == req.Key && ch.Action == access.ActionRevoke)
	}
	assert.True(t, revoked, "the repeating key still opens its door: %s", p)
}

// Moving a grant whose key repeats weekly to a window longer than a week is
// refused by Havr (the repeat does not fit); UpdateGrantWindow says
// access.ErrUnsupported, as for any repeating grant, so EnsureGrant re-makes
// it.
func TestUpdateByIDOfARepeatingGrantIsUnsupported(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := access.GrantRequest{Key: "booking-weekly-long", DoorIDs: []string{id(havrtest.FrontDoorID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()}
	made, _, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	weekly := havr.RecurrencyWeek
	_, _, err = c.SharedKeys.Update(ctx, havr.ID(srv.SharedKeys()[0].ID), havr.SharedKeyUpdate{Recurrency: &weekly})
	require.NoError(t, err)

	long := access.Window{Start: req.Window.Start, End: req.Window.Start.Add(10 * 24 * time.Hour)}
	_, err = c.UpdateGrantWindow(ctx, made.ID, long)
	assert.ErrorIs(t, err, access.ErrUnsupported, "%v", err)
}
