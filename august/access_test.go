package august_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

func grantRequest(key string, pin access.Secret) access.GrantRequest {
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	return access.GrantRequest{Key: key, DoorIDs: []string{augusttest.FrontDoorID},
		Holder: access.Person{Name: "Ada Lovelace", Email: "ada@example.com"},
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}, Credential: access.CredentialPIN, PIN: pin}
}

func TestAccessDoors(t *testing.T) {
	c, _ := conformanceClient(t)
	doors, err := c.ListDoors(context.Background())
	require.NoError(t, err)
	byID := map[string]access.Door{}
	for _, d := range doors {
		byID[d.ID] = d
	}
	front := byID[augusttest.FrontDoorID]
	assert.Equal(t, "Europe/Amsterdam", front.TimeZone)
	assert.Equal(t, augusttest.HouseID, front.Site)
	assert.True(t, front.Capabilities.RemoteOpen)
	assert.True(t, front.Capabilities.Issues(access.CredentialPIN))
	require.NotNil(t, front.Capabilities.PIN)
	assert.Equal(t, access.Online, front.Connectivity)
	assert.IsType(t, &august.Lock{}, front.Native)
	back := byID[augusttest.BackDoorID]
	assert.True(t, back.Capabilities.RemoteOpen)
	assert.False(t, back.Capabilities.Grants(), "type-1 locks take always PINs only")
	shed := byID[augusttest.ShedID]
	assert.False(t, shed.Capabilities.RemoteOpen)
	assert.False(t, shed.Capabilities.Grants(), "PINs need a bridge")
}

func TestAccessGrantLifecycle(t *testing.T) {
	c, srv, events := conformanceEnv(t)
	ctx := timeout(t)
	srv.HoldDeliveries(true)
	grant, err := c.CreateGrant(ctx, grantRequest("booking-77", "482913"))
	require.NoError(t, err)
	assert.Equal(t, access.GrantPending, grant.State(), "pending until the lock confirms")
	assert.Equal(t, access.Secret("482913"), grant.Doors[0].Credential.PIN)
	assert.Equal(t, 1, srv.HeldDeliveries())
	g, err := c.GetGrant(ctx, grant.ID)
	require.NoError(t, err)
	assert.Equal(t, access.GrantPending, g.State())

	loaded := events.Expect(august.PINKey(augusttest.FrontDoorID, august.PINActionLoad, grant.Native.(*august.GrantNative).PartnerUserID))
	srv.HoldDeliveries(false)
	_, err = loaded.Wait(ctx)
	require.NoError(t, err)
	g, err = c.GetGrant(ctx, grant.ID)
	require.NoError(t, err)
	assert.Equal(t, access.GrantActive, g.State(), "active once the webhook confirmed the load")
	assert.Equal(t, "booking-77", g.Key)
	assert.Equal(t, "ada@example.com", g.Holder.Email)
	assert.Equal(t, "Ada Lovelace", g.Holder.Name)
	assert.True(t, g.Window.Start.Equal(grant.Window.Start) && g.Window.End.Equal(grant.Window.End))
	assert.NotEmpty(t, g.Doors[0].VendorID)
	pins := srv.PINs(augusttest.FrontDoorID)
	require.Len(t, pins, 1)
	assert.Equal(t, "Ada", pins[0].FirstName)

	require.NoError(t, c.RevokeGrant(ctx, grant.ID))
	assert.Equal(t, 0, srv.LivePINs())
	assert.ErrorIs(t, c.RevokeGrant(ctx, grant.ID), access.ErrNotFound)
}

func TestAccessFailedLoadHasReason(t *testing.T) {
	c, srv, events := conformanceEnv(t)
	ctx := timeout(t)
	srv.HoldDeliveries(true)
	srv.FailPINCommand("246810", "keypad out of range")
	grant, err := c.CreateGrant(ctx, grantRequest("booking-fail", "246810"))
	require.NoError(t, err)
	loaded := events.Expect(august.PINKey(augusttest.FrontDoorID, august.PINActionLoad, grant.Native.(*august.GrantNative).PartnerUserID))
	srv.HoldDeliveries(false)
	_, err = loaded.Wait(ctx)
	require.ErrorIs(t, err, august.ErrCommandFailed)
	g, err := c.GetGrant(ctx, grant.ID)
	require.NoError(t, err)
	assert.Equal(t, access.GrantFailed, g.State())
	assert.Equal(t, "keypad out of range", g.Doors[0].Reason)
	// EnsureGrant re-makes a failed grant.
	_, outcome, err := access.EnsureGrant(ctx, c, grantRequest("booking-fail", "135802"))
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome)
}

func TestAccessRefusals(t *testing.T) {
	c, _ := conformanceClient(t)
	ctx := timeout(t)
	req := grantRequest("booking-x", "")
	req.DoorIDs = []string{augusttest.BackDoorID}
	_, err := c.CreateGrant(ctx, req)
	assert.ErrorIs(t, err, access.ErrUnsupported, "type-1 lock")
	req.DoorIDs = []string{augusttest.FrontDoorID}
	req.Credential = access.CredentialLink
	_, err = c.CreateGrant(ctx, req)
	assert.ErrorIs(t, err, access.ErrUnsupported)
	req.Credential = access.CredentialPIN
	req.PIN = "12"
	_, err = c.CreateGrant(ctx, req)
	assert.ErrorIs(t, err, access.ErrInvalid, "shorter than the lock takes")

	env := newFakeEnv(t) // no WithWebhook
	_, err = env.c.CreateGrant(ctx, grantRequest("booking-y", ""))
	assert.ErrorIs(t, err, access.ErrUnsupported)
}

func TestAccessOpenDoor(t *testing.T) {
	ctx := timeout(t)
	c, srv := conformanceClient(t)
	require.NoError(t, c.OpenDoor(ctx, augusttest.FrontDoorID))
	assert.False(t, srv.Locked(augusttest.FrontDoorID))
	assert.Equal(t, 1, srv.CountOperations(augusttest.FrontDoorID, "unlock"))

	srv.SetLockError(augusttest.GateID, 530)
	err := c.OpenDoor(ctx, augusttest.GateID)
	assert.ErrorIs(t, err, august.ErrJammed, "the async result's error keeps its kind")
	n := 0
	for _, op := range srv.RemoteOperations() {
		if op.LockID == augusttest.GateID {
			n++
			assert.True(t, op.Async)
			assert.Equal(t, 530, op.Status)
		}
	}
	assert.Equal(t, 1, n, "never resent")

	// Without a handler: synchronous.
	env := newFakeEnv(t)
	require.NoError(t, env.c.OpenDoor(ctx, augusttest.FrontDoorID))
	env.srv.SetLockError(augusttest.FrontDoorID, 550)
	assert.ErrorIs(t, env.c.OpenDoor(ctx, augusttest.FrontDoorID), august.ErrLowBattery)
	assert.ErrorIs(t, env.c.OpenDoor(ctx, augusttest.ShedID), access.ErrUnsupported)
	assert.ErrorIs(t, env.c.OpenDoor(ctx, "front door"), access.ErrInvalid, "a malformed lock id")
	assert.ErrorIs(t, env.c.OpenDoor(ctx, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"), access.ErrNotFound, "a well-formed id of no lock")
	assert.True(t, errors.Is(env.c.OpenDoor(ctx, ""), access.ErrInvalid))
}

// A grant over two doors whose second door refuses the PIN loads nothing:
// the first door's PIN is deleted again.
func TestAccessGrantRollsBack(t *testing.T) {
	c, srv := conformanceClient(t)
	ctx := timeout(t)
	// Doors are loaded in id order: the second door sorts after the first.
	second := srv.AddLock(augusttest.Lock{ID: "F0000000000000000000000000000001", Name: "Side Door", HouseID: augusttest.HouseID, Keypad: true, Bridge: true,
		TimeZone: "Europe/Amsterdam"}, augusttest.OwnerID)
	// The second door already has the PIN.
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	_, _, err := c.PINs.Load(ctx, second, august.PINCommand{PIN: "482913", AccessType: august.AccessTemporary,
		AccessTimes: &august.AccessTimes{Start: start, End: start.Add(time.Hour)}, FirstName: "Other", LastName: "Guest",
		PartnerUserID: "someone-else"}, fakeHookURL, nil)
	require.NoError(t, err)
	before, loads := srv.LivePINs(), srv.CountPINCommands("load")

	req := grantRequest("booking-two-doors", "482913")
	req.DoorIDs = []string{second, augusttest.FrontDoorID}
	_, err = c.CreateGrant(ctx, req)
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrConflict)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown, "the rollback finished: nothing is left")
	assert.Equal(t, loads+1, srv.CountPINCommands("load"), "the first door was loaded")
	assert.Equal(t, before, srv.LivePINs(), "and its PIN deleted again")
	for range c.ListGrants(ctx, access.GrantFilter{Key: "booking-two-doors"}) {
		t.Error("a rolled-back grant is listed")
	}
}

// Listing by door returns the whole grant, not the part on that door: a
// caller comparing doors (or EnsureGrant through a door-filtered lookup)
// must see every door the grant covers.
func TestAccessListByDoorShowsWholeGrant(t *testing.T) {
	c, srv := conformanceClient(t)
	ctx := timeout(t)
	side := srv.AddLock(augusttest.Lock{ID: "F0000000000000000000000000000001", Name: "Side Door", HouseID: augusttest.HouseID, Keypad: true, Bridge: true,
		TimeZone: "Europe/Amsterdam"}, augusttest.OwnerID)
	req := grantRequest("booking-by-door", "482913")
	req.DoorIDs = []string{augusttest.FrontDoorID, side}
	made, err := c.CreateGrant(ctx, req)
	require.NoError(t, err)
	var got []*access.Grant
	for g, err := range c.ListGrants(ctx, access.GrantFilter{DoorID: side}) {
		require.NoError(t, err)
		got = append(got, g)
	}
	require.Len(t, got, 1)
	assert.Equal(t, made.ID, got[0].ID)
	assert.ElementsMatch(t, req.DoorIDs, got[0].DoorIDs())
}

// A failed grant that EnsureGrant revoked and re-made must not stay listed
// under its key (from the remembered webhook failure): the next EnsureGrant
// would find two grants for the key.
func TestAccessRevokedFailedGrantIsGone(t *testing.T) {
	c, srv, events := conformanceEnv(t)
	ctx := timeout(t)
	srv.HoldDeliveries(true)
	srv.FailPINCommand("246810", "keypad out of range")
	grant, err := c.CreateGrant(ctx, grantRequest("booking-fail-2", "246810"))
	require.NoError(t, err)
	loaded := events.Expect(august.PINKey(augusttest.FrontDoorID, august.PINActionLoad, grant.Native.(*august.GrantNative).PartnerUserID))
	srv.HoldDeliveries(false)
	_, err = loaded.Wait(ctx)
	require.ErrorIs(t, err, august.ErrCommandFailed)

	again, outcome, err := access.EnsureGrant(ctx, c, grantRequest("booking-fail-2", "135802"))
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome)
	var ids []string
	for g, err := range c.ListGrants(ctx, access.GrantFilter{Key: "booking-fail-2"}) {
		require.NoError(t, err)
		ids = append(ids, g.ID)
	}
	assert.Equal(t, []string{again.ID}, ids, "the revoked failed grant is not listed")
	_, err = c.GetGrant(ctx, grant.ID)
	assert.ErrorIs(t, err, access.ErrNotFound)
	_, outcome, err = access.EnsureGrant(ctx, c, grantRequest("booking-fail-2", "135802"))
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
}
