package havr

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testLockConfigurationTime = At(time.Date(2018, 10, 30, 8, 15, 54, 122000000, time.UTC))

// testLockConfiguration is the document's LockConfiguration object.
var testLockConfiguration = LockConfiguration{ID: 1, DoorLockID: 1, WiFiSSID: "A wifi name", WiFiPassword: "toto-Tata",
	BoltTime: 5, SSIDLastUpdatedAt: testLockConfigurationTime, BoltLastUpdatedAt: testLockConfigurationTime,
	AutoLockingTimer: 5, AutoLockingLastUpdatedAt: testLockConfigurationTime}

func TestLockConfigurationsEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			// The document shows no answer: a list of the documented object.
			Name: "List", Method: "GET", Path: "/v1/lock_configurations", Response: "lock_configuration_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockConfigurations.List(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []LockConfiguration{testLockConfiguration}, v) },
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/lock_configurations/1", Response: "lock_configuration_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockConfigurations.Get(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testLockConfiguration, v) },
		},
		{
			Name: "Get answering an object", Method: "GET", Path: "/v1/lock_configurations/1",
			Response: `{"id": 1, "door_lock_id": 1, "wifi_ssid": "A wifi name", "wifi_password": "toto-Tata", "bold_time": 5,
				"ssid_last_updated_at": "2018-10-30T08:15:54.122Z", "bolt_last_updated_at": "2018-10-30T08:15:54.122Z",
				"auto_locking_timer": 5, "auto_locking_last_updated_at": "2018-10-30T08:15:54.122Z"}`,
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockConfigurations.Get(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testLockConfiguration, v) },
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/lock_configurations/1",
			Request: "lock_configuration_update_request.json", Response: "lock_configuration_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockConfigurations.Update(ctx, 1, LockConfigurationUpdate{WiFiSSID: Ptr("new name")})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testLockConfiguration, v) },
		},
		{
			Name: "UpdateMultiple", Method: "POST", Path: "/v1/lock_configurations/update_multiple_lock_configs",
			Request: "lock_configuration_update_multiple_lock_configs_request.json", Response: "lock_configuration_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockConfigurations.UpdateMultiple(ctx, []LockConfigurationChange{
					{DoorLockID: 2, BoltTime: Ptr(5)},
					{DoorLockID: 4, WiFiPassword: Ptr(access.Secret("titi-Toto")), WiFiSSID: Ptr("An amazing Wifi network")},
				})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []LockConfiguration{testLockConfiguration}, v) },
		},
	})
}

func TestLockConfigurationsErrors(t *testing.T) {
	get := func(ctx context.Context, c *Client) error { _, _, err := c.LockConfigurations.Get(ctx, 1); return err }
	update := func(ctx context.Context, c *Client) error {
		_, _, err := c.LockConfigurations.Update(ctx, 1, LockConfigurationUpdate{WiFiSSID: Ptr("new name")})
		return err
	}
	multiple := func(ctx context.Context, c *Client) error {
		_, _, err := c.LockConfigurations.UpdateMultiple(ctx, []LockConfigurationChange{{DoorLockID: 2, BoltTime: Ptr(5)}})
		return err
	}
	const (
		lockNotExist   = `{"error": "Door lock does not exist", "error_code": "door_lock_does_not_exist"}`
		configNotExist = `{"error": "Lock configuration does not exist", "error_code": "lock_config_does_not_exist"}`
		cantAccess     = `{"error": "Can't access another one's door lock", "error_code": "cant_access_another_ones_door_lock"}`
	)
	cases := []errorCase{
		{Name: "Get: does not exist", Status: 404, Body: `{"error": "lock configuration does not exist", "error_code": "lock_config_does_not_exist"}`,
			Sentinel: access.ErrNotFound, Call: get, Check: havrError(404, "lock_config_does_not_exist", "lock configuration does not exist")},
	}
	// Update and UpdateMultiple document the same three errors.
	for name, call := range map[string]func(context.Context, *Client) error{"Update": update, "UpdateMultiple": multiple} {
		cases = append(cases,
			errorCase{Name: name + ": door lock does not exist", Status: 404, Body: lockNotExist, Sentinel: access.ErrNotFound, Call: call,
				Check: havrError(404, "door_lock_does_not_exist", "Door lock does not exist")},
			errorCase{Name: name + ": configuration does not exist", Status: 404, Body: configNotExist, Sentinel: access.ErrNotFound, Call: call,
				Check: havrError(404, "lock_config_does_not_exist", "Lock configuration does not exist")},
			errorCase{Name: name + ": another one's", Status: 403, Body: cantAccess, Sentinel: access.ErrForbidden, Call: call,
				Check: havrError(403, "cant_access_another_ones_door_lock", "Can't access another one's door lock")},
		)
	}
	harness.RunErrors(t, cases)
}

func TestLockConfigurationsValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	for name, req := range map[string]LockConfigurationUpdate{
		"bolt time 0":           {BoltTime: Ptr(0)},
		"bolt time 11":          {BoltTime: Ptr(11)},
		"auto locking timer 1":  {AutoLockingTimer: Ptr(1)},
		"auto locking timer 31": {AutoLockingTimer: Ptr(31)},
	} {
		_, _, err := c.LockConfigurations.Update(ctx, 1, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
	for name, changes := range map[string][]LockConfigurationChange{
		"none":         nil,
		"no door lock": {{BoltTime: Ptr(5)}},
		"bolt time 11": {{DoorLockID: 2, BoltTime: Ptr(11)}},
		"timer 31":     {{DoorLockID: 2}, {DoorLockID: 4, AutoLockingTimer: Ptr(31)}},
	} {
		_, _, err := c.LockConfigurations.UpdateMultiple(ctx, changes)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
}

func TestLockConfigurationDecoding(t *testing.T) {
	for in, want := range map[string]LockConfigurationSeconds{`5`: 5, `"5"`: 5, `null`: 0, `""`: 0} {
		var got LockConfigurationSeconds
		require.NoError(t, json.Unmarshal([]byte(in), &got), in)
		assert.Equal(t, want, got, in)
	}
	var s LockConfigurationSeconds
	require.Error(t, json.Unmarshal([]byte(`"five"`), &s))

	// An empty list answered to Get is an error, not a nil configuration.
	var a lockConfigurationAnswer
	require.Error(t, json.Unmarshal([]byte(`[]`), &a))
	require.NoError(t, json.Unmarshal([]byte(`null`), &a))
	_, _, err := oneLockConfiguration(a, nil, nil)
	require.Error(t, err)

	// The WiFi password stays out of prints.
	assert.NotContains(t, fmt.Sprintf("%v %+v", testLockConfiguration, testLockConfiguration), "toto-Tata")
}
