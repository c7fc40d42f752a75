package havr

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testDeviceTime = At(time.Date(2018, 10, 30, 8, 15, 54, 122e6, time.UTC))

var testDevice = Device{ID: 2, Name: "device name", DeviceType: DeviceIOS, UserID: 6, UUID: "uuid", DeviceUserID: 4,
	FCMToken: "fcm_token", ExistingStatus: StatusActive, CreatedAt: testDeviceTime, LastConnectedAt: testDeviceTime}

func TestDevicesEndpoints(t *testing.T) {
	findByUUID := func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Devices.FindByUUID(ctx, "uuid")
		return v, err
	}
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/devices", Response: "device_list_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Devices.List(ctx); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, []Device{testDevice}, v) },
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/devices/2", Response: "device_get_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Devices.Get(ctx, 2); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, &testDevice, v) },
		},
		{
			Name: "FindByUUID", Method: "POST", Path: "/v1/devices/uuid_associated_to_user",
			Request: "device_find_by_uuid_request.json", Response: "device_get_response.json", Call: findByUUID,
			Check: func(t *testing.T, v any) { assert.Equal(t, &DeviceLookup{Device: &testDevice, Found: true}, v) },
		},
		{
			Name: "FindByUUID: 204", Method: "POST", Path: "/v1/devices/uuid_associated_to_user",
			Request: "device_find_by_uuid_request.json", Status: 204, Call: findByUUID,
			Check: func(t *testing.T, v any) { assert.Equal(t, &DeviceLookup{}, v) },
		},
		{
			Name: "FindByUUID: null", Method: "POST", Path: "/v1/devices/uuid_associated_to_user",
			Request: "device_find_by_uuid_request.json", Response: "null", Call: findByUUID,
			Check: func(t *testing.T, v any) { assert.Equal(t, &DeviceLookup{}, v) },
		},
		{
			// The document writes the answer "null", quoted.
			Name: "FindByUUID: quoted null", Method: "POST", Path: "/v1/devices/uuid_associated_to_user",
			Request: "device_find_by_uuid_request.json", Response: `"null"`, Call: findByUUID,
			Check: func(t *testing.T, v any) { assert.Equal(t, &DeviceLookup{}, v) },
		},
		{
			Name: "Create", Method: "POST", Path: "/v1/devices", Request: "device_create_request.json",
			Status: 201, Response: "device_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Devices.Create(ctx, DeviceRequest{Name: "desired_device_name", UUID: "uuid",
					DeviceType: DeviceIOS, FCMToken: "fcm_token"})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testDevice, v) },
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/devices/2", Request: "device_update_request.json",
			Response: "device_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Devices.Update(ctx, 2, DeviceUpdate{Name: Ptr("desired_device_name"),
					DeviceType: Ptr(DeviceAndroid), FCMToken: Ptr(access.Secret("fcm_token"))})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testDevice, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/devices/2", Response: "device_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Devices.Delete(ctx, 2)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testDevice, v) },
		},
		{
			Name: "CheckAppVersion", Method: "POST", Path: "/v1/devices/check_app_version",
			Request: "device_check_app_version_request.json", Response: "device_check_app_version_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Devices.CheckAppVersion(ctx, DeviceAppVersionRequest{Platform: DeviceAndroid, AppVersion: "2.5.0"})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &DeviceAppVersion{UpdateAvailable: true, LatestAppVersion: "2.5.0"}, v)
			},
		},
	})
}

func TestDevicesErrors(t *testing.T) {
	const notExist = `{
  "error": "Device does not exist",
  "error_code": "device_does_not_exist"
}`
	const anotherOnes = `{
  "error": "Can't access another one's device",
  "error_code": "cant_access_another_ones_device"
}`
	get := func(ctx context.Context, c *Client) error { _, _, err := c.Devices.Get(ctx, 2); return err }
	create := func(ctx context.Context, c *Client) error {
		_, _, err := c.Devices.Create(ctx, DeviceRequest{Name: "n", UUID: "uuid", DeviceType: DeviceAndroid})
		return err
	}
	update := func(ctx context.Context, c *Client) error {
		_, _, err := c.Devices.Update(ctx, 2, DeviceUpdate{Name: Ptr("n")})
		return err
	}
	del := func(ctx context.Context, c *Client) error { _, _, err := c.Devices.Delete(ctx, 2); return err }
	check := func(ctx context.Context, c *Client) error {
		_, _, err := c.Devices.CheckAppVersion(ctx, DeviceAppVersionRequest{Platform: DeviceIOS, AppVersion: "1.0.0"})
		return err
	}
	notFound := havrError(404, "device_does_not_exist", "Device does not exist")
	forbidden := havrError(403, "cant_access_another_ones_device", "Can't access another one's device")
	harness.RunErrors(t, []errorCase{
		{Name: "Get: does not exist", Status: 404, Body: notExist, Sentinel: access.ErrNotFound, Call: get, Check: notFound},
		{Name: "Get: another one's", Status: 403, Body: anotherOnes, Sentinel: access.ErrForbidden, Call: get, Check: forbidden},
		// A 400 whose code says "already": a conflict.
		{Name: "Create: uuid already associated", Status: 400, Sentinel: access.ErrConflict, Call: create,
			Body: `{
  "error": "Device already associated to User",
  "error_code": "device_already_associated_to_user"
}`, Check: havrError(400, "device_already_associated_to_user", "Device already associated to User")},
		{Name: "Create: maximum reached", Status: 403, Sentinel: access.ErrForbidden, Call: create,
			Body: `{
  "error": "You have reached the maximum number of devices", 
  "error_code": "maximum_devices_reached"
}`, Check: havrError(403, "maximum_devices_reached", "You have reached the maximum number of devices")},
		{Name: "Update: does not exist", Status: 404, Body: notExist, Sentinel: access.ErrNotFound, Call: update, Check: notFound},
		{Name: "Update: another one's", Status: 403, Body: anotherOnes, Sentinel: access.ErrForbidden, Call: update, Check: forbidden},
		{Name: "Delete: does not exist", Status: 404, Body: notExist, Sentinel: access.ErrNotFound, Call: del, Check: notFound},
		{Name: "Delete: another one's", Status: 403, Body: anotherOnes, Sentinel: access.ErrForbidden, Call: del, Check: forbidden},
		{Name: "CheckAppVersion: invalid", Status: 400, Sentinel: access.ErrInvalid, Call: check,
			Body: `{
  "error": "Mobile version is invalid",
  "error_code": "invalid_mobile_version"
}`, Check: havrError(400, "invalid_mobile_version", "Mobile version is invalid")},
	})
}

func TestDevicesValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	_, _, err := c.Devices.FindByUUID(ctx, "")
	require.ErrorIs(t, err, access.ErrInvalid)
	for name, req := range map[string]DeviceRequest{
		"no name":      {UUID: "u", DeviceType: DeviceIOS},
		"no uuid":      {Name: "n", DeviceType: DeviceIOS},
		"no type":      {Name: "n", UUID: "u"},
		"unknown type": {Name: "n", UUID: "u", DeviceType: "windows"},
	} {
		_, _, err := c.Devices.Create(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
	_, _, err = c.Devices.Update(ctx, 2, DeviceUpdate{DeviceType: Ptr(DeviceType("ios_or_android"))})
	require.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = c.Devices.Update(ctx, 2, DeviceUpdate{Name: Ptr("")})
	require.ErrorIs(t, err, access.ErrInvalid)
	for _, req := range []DeviceAppVersionRequest{
		{Platform: "web", AppVersion: "2.5.0"},
		{Platform: DeviceIOS, AppVersion: ""},
		{Platform: DeviceIOS, AppVersion: "2.5"},
		{Platform: DeviceIOS, AppVersion: "2.5.0.1"},
		{Platform: DeviceIOS, AppVersion: "v2.5.0"},
		{Platform: DeviceIOS, AppVersion: "2.5.x"},
		{Platform: DeviceIOS, AppVersion: "2..0"},
	} {
		_, _, err := c.Devices.CheckAppVersion(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, "%+v", req)
	}
}

// A Device printed in a log does not show its FCM token.
func TestDevicesFCMTokenRedacted(t *testing.T) {
	// The document's example token is "fcm_token", the field's own name.
	printed := fmt.Sprintf("%v %+v", testDevice, testDevice)
	assert.Equal(t, 2, strings.Count(printed, "fcm_token"), printed)
	assert.Equal(t, 2, strings.Count(printed, "fcm_token:[redacted]"), printed)
}
