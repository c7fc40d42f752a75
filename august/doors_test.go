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
