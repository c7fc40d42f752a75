package havr_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

// newDirectory puts a Havr account and a Primis account, each on its fake,
// in one Directory.
func newDirectory(t *testing.T) (*access.Directory, accesstest.Fixture, *primistest.Server) {
	t.Helper()
	c, srv := newFakeClient(t)
	psrv := primistest.NewServer()
	t.Cleanup(psrv.Close)
	p, err := primis.New(primis.WithBaseURL(psrv.URL), primis.WithHTTPClient(psrv.Client()),
		primis.WithPassword(primistest.UserEmail, primistest.UserPassword), primis.WithPhoneID("phone-directory"),
		primis.WithRetry(3, time.Millisecond, 4*time.Millisecond))
	require.NoError(t, err)
	d := access.NewDirectory()
	require.NoError(t, d.Add("hq-havr", c))
	require.NoError(t, d.Add("lab-primis", p))
	fx := havrFixture(c, srv)
	fx.Impl = d
	return d, fx, psrv
}

func TestDirectoryConformance(t *testing.T) {
	accesstest.Run(t, accesstest.Config{
		New:          func(t *testing.T) accesstest.Fixture { _, fx, _ := newDirectory(t); return fx },
		Caps:         accesstest.Capabilities{DoorLister: true, DoorOpener: true, Granter: true, GrantGetter: true, GrantLister: true, GrantUpdater: true},
		OpenDoor:     access.JoinID("lab-primis", primistest.EntranceID),
		DeniedDoor:   access.JoinID("lab-primis", primistest.ServerRoomID),
		UnknownDoor:  access.JoinID("lab-primis", "999999999999"),
		GrantDoors:   []string{access.JoinID("hq-havr", id(havrtest.FrontDoorID)), access.JoinID("hq-havr", id(havrtest.MeetingRoomID))},
		Holder:       access.Person{Name: "Grace", Email: "grace@example.com"},
		OtherHolder:  access.Person{Name: "Alan", Email: "alan@example.com"},
		UnknownGrant: access.JoinID("hq-havr", "999999"),
		Labels:       true,
	})
}

func TestDirectoryHavrAndPrimis(t *testing.T) {
	ctx := context.Background()
	d, _, psrv := newDirectory(t)
	doors, err := d.ListDoors(ctx)
	require.NoError(t, err)
	byVendor := map[string]int{}
	for _, door := range doors {
		byVendor[door.Vendor]++
		switch door.Vendor {
		case "havr":
			assert.False(t, door.Capabilities.RemoteOpen, door.ID)
			assert.True(t, door.Capabilities.Issues(access.CredentialLink), door.ID)
		case "primis":
			assert.True(t, door.Capabilities.RemoteOpen, door.ID)
			assert.False(t, door.Capabilities.Grants(), door.ID)
		}
	}
	assert.Positive(t, byVendor["havr"])
	assert.Positive(t, byVendor["primis"])

	// A grant over doors of both accounts is refused before any request.
	start := time.Now().Add(time.Hour)
	_, err = d.CreateGrant(ctx, access.GrantRequest{Key: "BK-1",
		DoorIDs: []string{access.JoinID("hq-havr", id(havrtest.FrontDoorID)), access.JoinID("lab-primis", primistest.EntranceID)},
		Holder:  access.Person{Email: "grace@example.com"}, Window: access.Window{Start: start, End: start.Add(time.Hour)}})
	assert.ErrorIs(t, err, access.ErrInvalid)

	// Primis offline: the Havr doors are still listed.
	psrv.FailNext(10, http.StatusServiceUnavailable, 0)
	doors, err = d.ListDoors(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `account "lab-primis"`)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.Len(t, doors, byVendor["havr"])
}
