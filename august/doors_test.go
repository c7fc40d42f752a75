package august_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// doorsByID lists the doors of c by id.
func doorsByID(t *testing.T, c *august.Client) map[string]access.Door {
	t.Helper()
	doors, err := c.ListDoors(context.Background())
	require.NoError(t, err)
	byID := map[string]access.Door{}
	for _, d := range doors {
		byID[d.ID] = d
	}
	return byID
}

func noticeCodes(ns []access.Notice) []access.NoticeCode {
	var out []access.NoticeCode
	for _, n := range ns {
		out = append(out, n.Code)
	}
	return out
}

// Four of the twelve recorded lock bodies say "Pacific/Hawaii", a name Go
// does not know: the door gets the IANA name, the native lock keeps
// August's, and a zone nobody knows is blanked with a notice.
func TestDoorTimeZone(t *testing.T) {
	env := newFakeEnv(t)
	hawaii := env.srv.AddLock(augusttest.Lock{Name: "Lanai", HouseID: augusttest.HouseID, TimeZone: "Pacific/Hawaii"}, augusttest.OwnerID)
	legacy := env.srv.AddLock(augusttest.Lock{Name: "Porch", HouseID: augusttest.HouseID, TimeZone: "US/Pacific"}, augusttest.OwnerID)
	mars := env.srv.AddLock(augusttest.Lock{Name: "Dome", HouseID: augusttest.HouseID, TimeZone: "Mars/Olympus_Mons"}, augusttest.OwnerID)
	none := env.srv.AddLock(augusttest.Lock{Name: "Attic", HouseID: augusttest.HouseID}, augusttest.OwnerID)
	byID := doorsByID(t, env.c)

	d := byID[hawaii]
	assert.Equal(t, "Pacific/Honolulu", d.TimeZone)
	assert.Equal(t, "Pacific/Hawaii", d.Native.(*august.Lock).TimeZone, "the native lock keeps what August said")
	loc, ok := d.Location()
	require.True(t, ok)
	assert.Equal(t, "Pacific/Honolulu", loc.String())
	assert.NotContains(t, noticeCodes(d.Notices), august.NoticeTimeZoneUnknown)

	assert.Equal(t, "America/Los_Angeles", byID[legacy].TimeZone, "a backward link is given its canonical name")
	assert.Equal(t, "Europe/Amsterdam", byID[augusttest.FrontDoorID].TimeZone)

	d = byID[mars]
	assert.Empty(t, d.TimeZone)
	assert.Equal(t, "Mars/Olympus_Mons", d.Native.(*august.Lock).TimeZone)
	require.Contains(t, noticeCodes(d.Notices), august.NoticeTimeZoneUnknown)
	for _, n := range d.Notices {
		if n.Code == august.NoticeTimeZoneUnknown {
			assert.Equal(t, "TimeZone", n.Field)
			assert.Contains(t, n.Message, "Mars/Olympus_Mons")
		}
	}

	d = byID[none]
	assert.Empty(t, d.TimeZone)
	assert.Empty(t, d.Notices, "no zone said is no zone, not an unknown one")
}

// A lock whose bridge is not operative still has a bridge: its
// capabilities say it opens remotely, its connectivity says it cannot now,
// and OpenDoor is ErrUnavailable without sending the unlock (an unlock
// queued for an offline bridge could run when nobody expects it).
func TestDoorBridgeOfflineIsUnavailable(t *testing.T) {
	env := newFakeEnv(t)
	ctx := timeout(t)
	env.srv.SetBridgeOnline(augusttest.FrontDoorID, false)
	d := doorsByID(t, env.c)[augusttest.FrontDoorID]
	assert.True(t, d.Capabilities.RemoteOpen, "the lock has a bridge")
	assert.True(t, d.Capabilities.Issues(access.CredentialPIN), "PINs are pushed through the bridge it has")
	assert.Equal(t, access.Offline, d.Connectivity)

	err := env.c.OpenDoor(ctx, augusttest.FrontDoorID)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.NotErrorIs(t, err, access.ErrUnsupported)
	assert.Zero(t, env.srv.CountOperations(augusttest.FrontDoorID, "unlock"), "nothing is sent")

	env.srv.SetBridgeOnline(augusttest.FrontDoorID, true)
	d = doorsByID(t, env.c)[augusttest.FrontDoorID]
	assert.Equal(t, access.Online, d.Connectivity)
	require.NoError(t, env.c.OpenDoor(ctx, augusttest.FrontDoorID))

	shed := doorsByID(t, env.c)[augusttest.ShedID]
	assert.False(t, shed.Capabilities.RemoteOpen, "no bridge")
	assert.Equal(t, access.ConnectivityUnknown, shed.Connectivity, "a lock without a bridge has no cloud connection to report")
	assert.ErrorIs(t, env.c.OpenDoor(ctx, augusttest.ShedID), access.ErrUnsupported)
}

// A paired keypad is the evidence of entry codes where lock info does not
// say supportsEntryCodes (the recorded answers of keypad locks omit it).
func TestDoorKeypadWithoutEntryCodesFlag(t *testing.T) {
	env := newFakeEnv(t, august.WithWebhook(fakeHookURL, nil))
	ctx := timeout(t)
	paired := env.srv.AddLock(augusttest.Lock{Name: "Porch", HouseID: augusttest.HouseID, Keypad: true, Bridge: true,
		OmitEntryCodes: true}, augusttest.OwnerID)
	bare := env.srv.AddLock(augusttest.Lock{Name: "Cellar", HouseID: augusttest.HouseID, Bridge: true,
		OmitEntryCodes: true}, augusttest.OwnerID)
	byID := doorsByID(t, env.c)
	assert.True(t, byID[paired].Capabilities.Issues(access.CredentialPIN), "a paired keypad takes PINs")
	assert.False(t, byID[bare].Capabilities.Grants(), "no flag and no keypad: no evidence of entry codes")

	req := grantRequest("booking-porch", "")
	req.DoorIDs = []string{paired}
	_, err := env.c.CreateGrant(ctx, req)
	require.NoError(t, err)
	req.Key, req.DoorIDs = "booking-cellar", []string{bare}
	_, err = env.c.CreateGrant(ctx, req)
	assert.ErrorIs(t, err, access.ErrUnsupported)
}

// A paired keypad's PIN lengths are read by the keypad's serial number,
// whichever device the fake answers them for; a lock whose lengths cannot
// be read says the fallback it uses.
func TestDoorPINLengthsFromKeypad(t *testing.T) {
	for _, onLockSerial := range []bool{false, true} {
		env := newFakeEnv(t)
		env.srv.SetKeypadCapabilitiesOnLockSerial(onLockSerial)
		paired := env.srv.AddLock(augusttest.Lock{Name: "Porch", HouseID: augusttest.HouseID, Keypad: true, Bridge: true,
			PINLengthMin: 6, PINLengthMax: 8}, augusttest.OwnerID)
		builtIn := env.srv.AddLock(augusttest.Lock{Name: "Yale", HouseID: augusttest.HouseID, Type: 1001, BuiltInKeypad: true,
			Bridge: true, PINLengthMin: 5, PINLengthMax: 7}, augusttest.OwnerID)
		byID := doorsByID(t, env.c)
		require.NotNil(t, byID[paired].Capabilities.PIN)
		assert.Equal(t, access.PINRules{MinLength: 6, MaxLength: 8}, *byID[paired].Capabilities.PIN, "lengths on lock serial: %v", onLockSerial)
		assert.NotContains(t, noticeCodes(byID[paired].Notices), august.NoticePINLengthsAssumed)
		require.NotNil(t, byID[builtIn].Capabilities.PIN)
		assert.Equal(t, access.PINRules{MinLength: 5, MaxLength: 7}, *byID[builtIn].Capabilities.PIN)
	}

	env := newFakeEnv(t)
	env.srv.Inject(augusttest.Fault{Method: "GET", Path: "/devices/capabilities", Count: 10, Status: 404})
	d := doorsByID(t, env.c)[augusttest.FrontDoorID]
	require.NotNil(t, d.Capabilities.PIN)
	assert.Equal(t, access.PINRules{MinLength: august.DefaultPINMinLength, MaxLength: 6}, *d.Capabilities.PIN)
	require.Contains(t, noticeCodes(d.Notices), august.NoticePINLengthsAssumed, "the fallback is visible")
	for _, n := range d.Notices {
		if n.Code == august.NoticePINLengthsAssumed {
			assert.Equal(t, "Capabilities.PIN", n.Field)
			assert.Contains(t, n.Message, "4 to 6")
		}
	}
}
