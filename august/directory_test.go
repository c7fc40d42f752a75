package august_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

// newDirectory puts an August, a Havr and a Primis account, each on its
// fake, in one Directory.
func newDirectory(t *testing.T) (*access.Directory, accesstest.Fixture) {
	t.Helper()
	c, srv := conformanceClient(t)
	hsrv := havrtest.NewServer()
	t.Cleanup(hsrv.Close)
	h, err := havr.New(havr.WithBaseURL(hsrv.URL), havr.WithHTTPClient(hsrv.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	require.NoError(t, err)
	psrv := primistest.NewServer()
	t.Cleanup(psrv.Close)
	p, err := primis.New(primis.WithBaseURL(psrv.URL), primis.WithHTTPClient(psrv.Client()),
		primis.WithPassword(primistest.UserEmail, primistest.UserPassword), primis.WithPhoneID("phone-directory"))
	require.NoError(t, err)
	d := access.NewDirectory()
	require.NoError(t, d.Add("home-august", c))
	require.NoError(t, d.Add("hq-havr", h))
	require.NoError(t, d.Add("lab-primis", p))
	return d, accesstest.Fixture{
		Impl:    d,
		Creates: func() int { return srv.CountPINCommands("load") },
		Live:    srv.LivePINs,
		LoseNextCreate: func() {
			srv.Inject(augusttest.Fault{Method: http.MethodPost, Path: "/locks/" + augusttest.FrontDoorID + "/pins",
				Count: 1, LoseAnswer: true})
		},
	}
}

func TestDirectoryConformance(t *testing.T) {
	accesstest.Run(t, accesstest.Config{
		New: func(t *testing.T) accesstest.Fixture { _, fx := newDirectory(t); return fx },
		Caps: accesstest.Capabilities{DoorLister: true, DoorOpener: true, Granter: true,
			GrantGetter: true, GrantLister: true, GrantUpdater: true},
		OpenDoor:     access.JoinID("home-august", augusttest.FrontDoorID),
		DeniedDoor:   access.JoinID("lab-primis", primistest.ServerRoomID),
		UnknownDoor:  access.JoinID("home-august", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
		GrantDoors:   []string{access.JoinID("home-august", augusttest.FrontDoorID)},
		Holder:       access.Person{Name: "Ada Lovelace", Email: "ada@example.com"},
		OtherHolder:  access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
		Credential:   access.CredentialPIN,
		UnknownGrant: access.JoinID("home-august", "0123456789abcdef"),
	})
}

func TestDirectoryAugustBesideHavrAndPrimis(t *testing.T) {
	ctx := context.Background()
	d, _ := newDirectory(t)
	doors, err := d.ListDoors(ctx)
	require.NoError(t, err)
	byVendor := map[string]int{}
	for _, door := range doors {
		byVendor[door.Vendor]++
	}
	assert.Positive(t, byVendor["august"])
	assert.Positive(t, byVendor["havr"])
	assert.Positive(t, byVendor["primis"])
	start := time.Now().Add(time.Hour)
	grant, err := d.CreateGrant(ctx, access.GrantRequest{Key: "BK-9", DoorIDs: []string{access.JoinID("home-august", augusttest.FrontDoorID)},
		Holder: access.Person{Name: "Ada Lovelace", Email: "ada@example.com"}, Window: access.Window{Start: start, End: start.Add(time.Hour)}})
	require.NoError(t, err)
	assert.Equal(t, access.CredentialPIN, grant.Doors[0].Credential.Kind)
	require.NoError(t, d.RevokeGrant(ctx, grant.ID))
}
