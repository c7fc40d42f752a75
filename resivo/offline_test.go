package resivo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

// Offline (standalone) components have no cloud connection (the
// collection's glossary): resivo cannot open them by a door link. Their
// capabilities say so, and a link grant on one is refused before anything
// is created, whether resivo would refuse it (the fake's default) or
// accept it.
func TestOfflineComponentTakesNoLink(t *testing.T) {
	for _, accepted := range []bool{false, true} {
		t.Run(fmt.Sprintf("resivo accepts offline links: %v", accepted), func(t *testing.T) {
			testOfflineComponentTakesNoLink(t, accepted)
		})
	}
}

func testOfflineComponentTakesNoLink(t *testing.T, accepted bool) {
	c, srv := newFakeClient(t)
	srv.SetOfflineLinks(accepted)
	ctx := context.Background()
	doors, err := c.ListDoors(ctx)
	require.NoError(t, err)
	byID := map[string]access.Door{}
	for _, d := range doors {
		byID[d.ID] = d
	}
	shed := byID[door(resivotest.BikeShedID)]
	assert.Equal(t, access.Offline, shed.Connectivity)
	assert.False(t, shed.Capabilities.Issues(access.CredentialLink), "no door link without a cloud connection")
	assert.True(t, shed.Capabilities.Issues(access.CredentialPIN))
	entrance := byID[door(resivotest.MainEntranceID)]
	assert.True(t, entrance.Capabilities.Issues(access.CredentialLink))

	creates := func() int {
		return srv.Count("POST", "/"+resivotest.SiteID+"/authorizations/remote-access") +
			srv.Count("POST", "/"+resivotest.SiteID+"/authorizations/pin-access")
	}
	for _, ids := range [][]string{{door(resivotest.BikeShedID)}, {door(resivotest.MainEntranceID), door(resivotest.BikeShedID)}} {
		req := visitorRequest(ids...)
		req.Key = "booking-shed"
		req.Credential = access.CredentialLink
		_, err = c.CreateGrant(ctx, req)
		assert.ErrorIs(t, err, access.ErrUnsupported, "%v", ids)
		assert.ErrorContains(t, err, resivotest.BikeShedID)
		assert.Zero(t, creates(), "refused before sending")
	}

	// CredentialAny takes what every door issues: a PIN here.
	req := visitorRequest(door(resivotest.MainEntranceID), door(resivotest.BikeShedID))
	req.Key = "booking-any"
	g, err := c.CreateGrant(ctx, req)
	require.NoError(t, err)
	for _, d := range g.Doors {
		assert.Equal(t, access.CredentialPIN, d.Credential.Kind)
	}
	assert.Equal(t, 1, srv.Count("POST", "/"+resivotest.SiteID+"/authorizations/pin-access"))

	// Online components still get links.
	req = visitorRequest(door(resivotest.MainEntranceID))
	req.Key = "booking-entrance"
	g, err = c.CreateGrant(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, access.CredentialLink, g.Doors[0].Credential.Kind)
}
