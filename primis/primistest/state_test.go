package primistest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

// The document's "open" means the relay is opened: a door nobody opened is
// not listed open. A momentary unlock is recorded; a state change to code
// 11 lists "open".
func TestAreasAtRestAreNotOpen(t *testing.T) {
	srv := primistest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	newClient := func(email, password string) *primis.Client {
		c, err := primis.New(primis.WithBaseURL(srv.URL), primis.WithHTTPClient(srv.Client()),
			primis.WithPassword(email, password), primis.WithPhoneID("state-test-"+email))
		require.NoError(t, err)
		return c
	}
	user := newClient(primistest.UserEmail, primistest.UserPassword)
	areas, _, err := user.ControlledAreas.List(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, areas)
	for _, a := range areas {
		assert.NotEqual(t, primis.AreaOpen, a.State, "%s is listed open before anything was opened", a.Name)
		want := primis.AreaState(primistest.StateClosed)
		if a.ID == primistest.ServerRoomID {
			want = primis.AreaLockdown
		}
		assert.Equal(t, want, a.State, a.Name)
	}

	require.NoError(t, user.OpenDoor(ctx, primistest.EntranceID))
	assert.Len(t, srv.Unlocks(), 1)

	admin := newClient(primistest.AdminEmail, primistest.AdminPassword)
	_, _, err = admin.ControlledAreas.SetState(ctx, primis.StateChange{ZoneID: primistest.EntranceID, State: primis.StateCodeOpen})
	require.NoError(t, err)
	area, ok := srv.Area(primistest.EntranceID)
	require.True(t, ok)
	assert.Equal(t, string(primis.AreaOpen), area.State)
}
