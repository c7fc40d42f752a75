package havr

import (
	"context"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testOfflineModeConfiguration is the document's OfflineModeConfiguration
// object.
var testOfflineModeConfiguration = OfflineModeConfiguration{ID: 1, DoorLockID: 1, ExistingStatus: StatusActive}

func TestOfflineModeConfigurationsEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/offline_mode_configurations", Response: "offline_mode_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.OfflineModeConfigurations.List(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, []OfflineModeConfiguration{testOfflineModeConfiguration}, v)
			},
		},
		{
			Name: "Create", Method: "POST", Path: "/v1/offline_mode_configurations",
			Request: "offline_mode_create_request.json", Response: "offline_mode_create_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.OfflineModeConfigurations.Create(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testOfflineModeConfiguration, v) },
		},
		{
			// POST, as the document gives for this removal.
			Name: "Delete", Method: "POST", Path: "/v1/offline_mode_configurations/1", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.OfflineModeConfigurations.Delete(ctx, 1)
			},
		},
	})
}

func TestOfflineModeConfigurationsErrors(t *testing.T) {
	create := func(ctx context.Context, c *Client) error {
		_, _, err := c.OfflineModeConfigurations.Create(ctx, 1)
		return err
	}
	del := func(ctx context.Context, c *Client) error {
		_, err := c.OfflineModeConfigurations.Delete(ctx, 1)
		return err
	}
	const cantAccess = `{"error": "Can't access another one's lock", "error_code": "cant_access_another_ones_door_lock"}`
	cantAccessErr := havrError(403, "cant_access_another_ones_door_lock", "Can't access another one's lock")
	harness.RunErrors(t, []errorCase{
		{Name: "Create: another one's", Status: 403, Body: cantAccess, Sentinel: access.ErrForbidden, Call: create, Check: cantAccessErr},
		// No code rule covers offline_mode_configuration_exists: the 400
		// gives ErrInvalid (ErrConflict would describe it better).
		{Name: "Create: exists", Status: 400,
			Body:     `{"error": "Offline mode configuration already exists for lock", "error_code": "offline_mode_configuration_exists"}`,
			Sentinel: access.ErrConflict, Call: create,
			Check: havrError(400, "offline_mode_configuration_exists", "Offline mode configuration already exists for lock")},
		{Name: "Delete: another one's", Status: 403, Body: cantAccess, Sentinel: access.ErrForbidden, Call: del, Check: cantAccessErr},
	})
}

func TestOfflineModeConfigurationsValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	_, _, err := c.OfflineModeConfigurations.Create(context.Background(), 0)
	require.ErrorIs(t, err, access.ErrInvalid)
}
