package havr

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testDoorLock = DoorLock{ID: 4, LockSerialNumber: "lock_serial_number", Description: "description of lock", UserID: 6,
	LisaToken: "AbZ123", ExistingStatus: StatusActive, SecondaryType: SecondaryMain, NbUsers: 3,
	ConfirmationLevel: ConfirmAdmin, LockGroupID: 34, BatteryLevel: 87, LastKTokenID: "last_k_token_id", Mode: ModeNormal}

// testDoorLockLog is the document's LockLog object.
var testDoorLockLog = LockLog{ID: 1, UserID: 6, DoorLockID: 1, DeviceID: 2, DoorLockStatus: LockLocked, Alert: "security_alert",
	EventTimestamp: At(time.Date(2018, 10, 30, 8, 15, 54, 122000000, time.UTC)), LogType: "flash"}

func TestDoorLocksEndpoints(t *testing.T) {
	noUser := testDoorLockLog
	noUser.UserID = 0 // "user_id": null
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/door_locks", Response: "door_lock_list_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.DoorLocks.List(ctx); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, []DoorLock{testDoorLock}, v) },
		},
		{
			Name: "ListWithLockGroups", Method: "GET", Path: "/v1/door_locks/index_with_lock_groups",
			Response: "door_lock_list_with_lock_groups_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.ListWithLockGroups(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &DoorLocksWithLockGroups{LockGroups: []LockGroup{testLockGroup}, DoorLocks: []DoorLock{testDoorLock}}, v)
			},
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/door_locks/4", Response: "door_lock_get_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.DoorLocks.Get(ctx, 4); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, &testDoorLock, v) },
		},
		{
			Name: "GetWithLockGroup", Method: "GET", Path: "/v1/door_locks/show_with_lock_group/4",
			Response: "door_lock_get_with_lock_group_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.GetWithLockGroup(ctx, 4)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &DoorLockWithLockGroup{DoorLock: testDoorLock, LockGroup: &testLockGroup}, v)
			},
		},
		{
			Name: "IsSerialNumberValid", Method: "POST", Path: "/v1/door_locks/serial_number_valid",
			Request: "door_lock_serial_number_valid_request.json", Response: "door_lock_serial_number_valid_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.IsSerialNumberValid(ctx, "lock_serial_number")
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, true, v) },
		},
		{
			Name: "CheckAvailableUpdates", Method: "GET", Path: "/v1/door_locks/check_available_update_owned_door_locks",
			Response: "door_lock_check_available_updates_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.CheckAvailableUpdates(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, testDoorLockUpdates, v) },
		},
		{
			// The document gives one example for both forms.
			Name: "CheckAvailableUpdate", Method: "GET", Path: "/v1/door_locks/check_available_update_owned_door_locks/5",
			Response: "door_lock_check_available_updates_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.CheckAvailableUpdate(ctx, 5)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, testDoorLockUpdates, v) },
		},
		{
			Name: "GetSettings", Method: "POST", Path: "/v1/door_locks/retrieve_settings",
			Response: "door_lock_retrieve_settings_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.GetSettings(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				code := v.(*DoorLockSettingsCode)
				assert.Equal(t, testDoorLockSettingsBase64, code.Base64.Reveal())
				settings, err := code.Decode()
				require.NoError(t, err)
				assert.Equal(t, testDoorLockSettings, settings)
			},
		},
		{
			Name: "GetWiFiConfiguration", Method: "GET", Path: "/v1/door_locks/retrieve_lock_configurations",
			Response: "door_lock_retrieve_lock_configurations_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.GetWiFiConfiguration(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &DoorLockWiFiConfiguration{SSID: "Havr-lock", Password: "password"}, v)
			},
		},
		{
			Name: "IsActivationTokenValid", Method: "POST", Path: "/v1/door_locks/activation_token_valid",
			Request: "door_lock_activation_token_valid_request.json", Response: "door_lock_activation_token_valid_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.IsActivationTokenValid(ctx, DoorLockActivationTokenRequest{
					LockSerialNumber: "lock_serial_number", ActivationToken: "activation_token"})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, true, v) },
		},
		{
			Name: "StartInstallation", Method: "POST", Path: "/v1/door_locks/start_installation",
			Request: "door_lock_start_installation_request.json", Status: 201,
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.DoorLocks.StartInstallation(ctx, "lock_serial_number")
			},
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/door_locks/4",
			Request: "door_lock_update_request.json", Response: "door_lock_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.Update(ctx, 4, DoorLockUpdate{Description: Ptr("new_description")})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testDoorLock, v) },
		},
		{
			// The document bounds the description's length only: an empty
			// one is sent, and only a nil field is left out.
			Name: "Update empty description", Method: "PATCH", Path: "/v1/door_locks/4",
			Request: `{"door_lock": {"description": ""}}`, Response: "door_lock_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.Update(ctx, 4, DoorLockUpdate{Description: Ptr("")})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testDoorLock, v) },
		},
		{
			Name: "TransferOwnership", Method: "POST", Path: "/v1/door_locks/owner_transfer",
			Request: "door_lock_owner_transfer_request.json", Response: "door_lock_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.TransferOwnership(ctx, DoorLockTransferRequest{DoorLockID: 4, UserID: 7})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testDoorLock, v) },
		},
		{
			Name: "Activate", Method: "POST", Path: "/v1/door_locks/activate",
			Request: "door_lock_activate_request.json", Status: 201, Response: "door_lock_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.Activate(ctx, DoorLockActivateRequest{LockSerialNumber: "qwerty",
					Description: "Fabian Home New", ActivationToken: "activation_token", LockGroupID: 6})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testDoorLock, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/door_locks/4",
			Request: "door_lock_delete_request.json", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.DoorLocks.Delete(ctx, 4, "user_password")
			},
		},
		{
			Name: "GetKToken", Method: "POST", Path: "/v1/door_locks/get_k_token",
			Request: "door_lock_get_k_token_request.json", Response: "door_lock_get_k_token_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.GetKToken(ctx, DoorLockKTokenRequest{DoorLockID: 4, PKey: "p_key"})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &KToken{KToken: "encrypted_k_token", LastKTokenID: "last_k_token_id"}, v)
			},
		},
		{
			Name: "GetKTokens", Method: "POST", Path: "/v1/door_locks/get_k_tokens",
			Request: "door_lock_get_k_tokens_request.json", Response: "door_lock_get_k_tokens_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.GetKTokens(ctx, []ID{4, 5})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				token := KToken{KToken: "k_token", LastKTokenID: "last_k_token_id"}
				assert.Equal(t, KTokens{4: token, 5: token}, v)
			},
		},
		{
			Name: "AddToGroup", Method: "POST", Path: "/v1/door_locks/add_locks_to_group",
			Request: "door_lock_add_locks_to_group_request.json", Response: "lock_group_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.AddToGroup(ctx, DoorLockAddToGroupRequest{GroupID: 34, Locks: []ID{1, 3}})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testLockGroup, v) },
		},
		{
			Name: "GetStatusFromSerialNumber", Method: "POST", Path: "/v1/door_locks/retrieve_status_from_serial_number",
			Request:  "door_lock_retrieve_status_from_serial_number_request.json",
			Response: "door_lock_retrieve_status_from_serial_number_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.GetStatusFromSerialNumber(ctx, "lock_serial_number")
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &DoorLockSerialStatus{ID: 2, ExistingStatus: StatusInactive, Mode: ModeOffline}, v)
			},
		},
		{
			Name: "ListStatuses", Method: "GET", Path: "/v1/door_locks/door_lock_status",
			Response: "door_lock_door_lock_status_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.ListStatuses(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, map[ID]DoorLockState{
					1: {Description: "my lock", Status: LockNoInfo},
					2: {Description: "best lock", Status: LockAlert, LockLog: &DoorLockStateLog{LockLog: noUser}},
					3: {Description: "here & there", Status: LockLocked, LockLog: &DoorLockStateLog{LockLog: noUser}},
					4: {Description: "I am number 4", Status: LockLocked, LockLog: &DoorLockStateLog{LockLog: testDoorLockLog, User: &testUser}},
				}, v)
			},
		},
		{
			Name: "GetOfflineFlashPayload", Method: "GET", Path: "/v1/door_locks/retrieve_offline_flash_payload/4",
			Response: "door_lock_retrieve_offline_flash_payload_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.DoorLocks.GetOfflineFlashPayload(ctx, 4)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &DoorLockFlashPayload{Payload: access.Secret(strings.Repeat("01", 45))}, v)
			},
		},
	})
}

var testDoorLockUpdates = []DoorLockFirmwareUpdate{
	{DoorLockID: 5, FirmwareAvailableUpdate: true},
	{DoorLockID: 6, FirmwareAvailableUpdate: true},
	{DoorLockID: 9, FirmwareAvailableUpdate: false},
}

// testDoorLockSettingsBase64 encodes the document's "decoded & de-serialized
// content"; the document's own example ("iv.....==") is elided.
var testDoorLockSettingsBase64 = base64.StdEncoding.EncodeToString([]byte(
	`{ "ssid": "Havr-lock", "password": "password", "serial_number": "d13fa32510a1d73e48f0c78a41f6f018", "activation_token": "activation_token" }`))

var testDoorLockSettings = DoorLockSettings{SSID: "Havr-lock", Password: "password",
	SerialNumber: "d13fa32510a1d73e48f0c78a41f6f018", ActivationToken: "activation_token"}

func TestDoorLocksErrors(t *testing.T) {
	const (
		cantAccess   = `{"error": "Can't access another one's lock", "error_code": "cant_access_another_ones_door_lock"}`
		doesNotExist = `{"error": "Door lock does not exist", "error_code": "door_lock_does_not_exist"}`
		invalid      = `{"error": "Lock access is invalid", "error_code": "invalid_access"}`
	)
	cantAccessErr := havrError(403, "cant_access_another_ones_door_lock", "Can't access another one's lock")
	notExistErr := func(status int) func(*testing.T, error) {
		return havrError(status, "door_lock_does_not_exist", "Door lock does not exist")
	}
	calls := map[string]func(ctx context.Context, c *Client) error{
		"Get": func(ctx context.Context, c *Client) error { _, _, err := c.DoorLocks.Get(ctx, 4); return err },
		"GetWithLockGroup": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.GetWithLockGroup(ctx, 4)
			return err
		},
		"CheckAvailableUpdates": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.CheckAvailableUpdates(ctx)
			return err
		},
		"CheckAvailableUpdate": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.CheckAvailableUpdate(ctx, 4)
			return err
		},
		"GetSettings": func(ctx context.Context, c *Client) error { _, _, err := c.DoorLocks.GetSettings(ctx); return err },
		"GetWiFiConfiguration": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.GetWiFiConfiguration(ctx)
			return err
		},
		"StartInstallation": func(ctx context.Context, c *Client) error {
			_, err := c.DoorLocks.StartInstallation(ctx, "lock_serial_number")
			return err
		},
		"Update": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.Update(ctx, 4, DoorLockUpdate{Description: Ptr("new_description")})
			return err
		},
		"TransferOwnership": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.TransferOwnership(ctx, DoorLockTransferRequest{DoorLockID: 4, UserID: 7})
			return err
		},
		"Activate": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.Activate(ctx, DoorLockActivateRequest{LockSerialNumber: "qwerty",
				Description: "Fabian Home New", ActivationToken: "activation_token", LockGroupID: 6})
			return err
		},
		"Delete": func(ctx context.Context, c *Client) error {
			_, err := c.DoorLocks.Delete(ctx, 4, "user_password")
			return err
		},
		"GetKToken": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.GetKToken(ctx, DoorLockKTokenRequest{DoorLockID: 4, PKey: "p_key"})
			return err
		},
		"GetKTokens": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.GetKTokens(ctx, []ID{4, 5})
			return err
		},
		"AddToGroup": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.AddToGroup(ctx, DoorLockAddToGroupRequest{GroupID: 34, Locks: []ID{1, 3}})
			return err
		},
		"GetStatusFromSerialNumber": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.GetStatusFromSerialNumber(ctx, "lock_serial_number")
			return err
		},
		"GetOfflineFlashPayload": func(ctx context.Context, c *Client) error {
			_, _, err := c.DoorLocks.GetOfflineFlashPayload(ctx, 4)
			return err
		},
	}
	var cases []errorCase
	// add appends the error examples a section of the document gives.
	add := func(op string, list ...errorCase) {
		for _, tc := range list {
			tc.Name = op + ": " + tc.Name
			tc.Call = calls[op]
			cases = append(cases, tc)
		}
	}
	showErrors := []errorCase{
		{Name: "another one's", Status: 403, Body: cantAccess, Sentinel: access.ErrForbidden, Check: cantAccessErr},
		{Name: "does not exist", Status: 404, Body: doesNotExist, Sentinel: access.ErrNotFound, Check: notExistErr(404)},
		{Name: "invalid access", Status: 403, Body: invalid, Sentinel: access.ErrForbidden,
			Check: havrError(403, "invalid_access", "Lock access is invalid")},
	}
	ownedErrors := []errorCase{ // the two errors most sections give
		{Name: "another one's", Status: 403, Body: cantAccess, Sentinel: access.ErrForbidden, Check: cantAccessErr},
		{Name: "does not exist", Status: 404, Body: doesNotExist, Sentinel: access.ErrNotFound, Check: notExistErr(404)},
	}
	add("Get", showErrors...)
	add("GetWithLockGroup", showErrors...) // "Same as show"
	// One section documents both forms of the firmware update check.
	add("CheckAvailableUpdates", ownedErrors...)
	add("CheckAvailableUpdate", ownedErrors...)
	add("GetSettings", ownedErrors...)
	add("GetWiFiConfiguration", ownedErrors...)
	add("StartInstallation",
		errorCase{Name: "does not exist", Status: 404, Body: doesNotExist, Sentinel: access.ErrNotFound, Check: notExistErr(404)},
		// A state conflict, though sent as 403: the code names it.
		errorCase{Name: "already active", Status: 403, Body: `{"error": "Door lock is already active", "error_code": "door_lock_already_active"}`,
			Sentinel: access.ErrConflict, Check: havrError(403, "door_lock_already_active", "Door lock is already active")})
	add("Update", append(ownedErrors[:2:2],
		errorCase{Name: "description too long", Status: 400,
			Body:     `{"error": "Door lock description length should not exceed 40 characters", "error_code": "invalid_lock_description"}`,
			Sentinel: access.ErrInvalid,
			Check:    havrError(400, "invalid_lock_description", "Door lock description length should not exceed 40 characters")})...)
	add("TransferOwnership", append(ownedErrors[:2:2],
		errorCase{Name: "user does not exist", Status: 404, Body: `{"error": "User does not exist", "error_code": "user_does_not_exist"}`,
			Sentinel: access.ErrNotFound, Check: havrError(404, "user_does_not_exist", "User does not exist")})...)
	add("Activate", append(ownedErrors[:2:2],
		errorCase{Name: "not waiting for activation", Status: 403,
			Body:     `{"error": "Door lock is not waiting for activation", "error_code": "door_lock_not_waiting_for_activation"}`,
			Sentinel: access.ErrConflict,
			Check:    havrError(403, "door_lock_not_waiting_for_activation", "Door lock is not waiting for activation")},
		// The code says not found, whatever the status.
		errorCase{Name: "lock group not valid", Status: 403,
			Body:     `{"error": "Lock group not found or must be the owner", "error_code": "lock_group_not_found_or_must_be_the_owner"}`,
			Sentinel: access.ErrNotFound,
			Check:    havrError(403, "lock_group_not_found_or_must_be_the_owner", "Lock group not found or must be the owner")})...)
	add("Delete", ownedErrors...)
	add("GetKToken", append(ownedErrors[:2:2],
		errorCase{Name: "p_key missing", Status: 400, Body: `{"error": "Error generating k token", "error_code": "generating_k_token"}`,
			Sentinel: access.ErrInvalid, Check: havrError(400, "generating_k_token", "Error generating k token")})...)
	add("GetKTokens", ownedErrors...)
	add("AddToGroup",
		errorCase{Name: "lock group not found", Status: 404,
			Body:     `{"error": "Lock group not found or you must be the owner", "error_code": "lock_group_not_found_or_must_be_the_owner"}`,
			Sentinel: access.ErrNotFound,
			Check:    havrError(404, "lock_group_not_found_or_must_be_the_owner", "Lock group not found or you must be the owner")},
		errorCase{Name: "already in group", Status: 400,
			Body:     `{"error": "Door lock is already member of the group", "error_code": "door_lock_already_in_group"}`,
			Sentinel: access.ErrConflict,
			Check:    havrError(400, "door_lock_already_in_group", "Door lock is already member of the group")},
		// Sent as 400; the code says not found.
		errorCase{Name: "does not exist", Status: 400, Body: doesNotExist, Sentinel: access.ErrNotFound, Check: notExistErr(400)})
	add("GetStatusFromSerialNumber",
		errorCase{Name: "does not exist", Status: 404, Body: doesNotExist, Sentinel: access.ErrNotFound, Check: notExistErr(404)})
	add("GetOfflineFlashPayload",
		errorCase{Name: "does not exist", Status: 404, Body: doesNotExist, Sentinel: access.ErrNotFound, Check: notExistErr(404)},
		// The document gives no status for this one; the 403 of the next
		// example is assumed.
		errorCase{Name: "no access", Status: 403, Body: cantAccess, Sentinel: access.ErrForbidden, Check: cantAccessErr},
		// "CLock" is the document's spelling.
		errorCase{Name: "access not valid now", Status: 403, Body: `{"error": "CLock access is invalid", "error_code": "invalid_access"}`,
			Sentinel: access.ErrForbidden, Check: havrError(403, "invalid_access", "CLock access is invalid")},
		// The document says "status 40 bad_request": 400 is meant.
		errorCase{Name: "not offline", Status: 400, Body: `{"error": "Door lock is not in offline mode", "error_code": "door_lock_is_not_offline"}`,
			Sentinel: access.ErrInvalid, Check: havrError(400, "door_lock_is_not_offline", "Door lock is not in offline mode")})
	harness.RunErrors(t, cases)
}

func TestDoorLocksValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	long := strings.Repeat("é", MaxDescriptionLength+1)
	valid := DoorLockActivateRequest{LockSerialNumber: "s", Description: "d", ActivationToken: "t", LockGroupID: 6}
	with := func(f func(*DoorLockActivateRequest)) DoorLockActivateRequest { r := valid; f(&r); return r }
	for name, req := range map[string]DoorLockActivateRequest{
		"no serial":             with(func(r *DoorLockActivateRequest) { r.LockSerialNumber = "" }),
		"no description":        with(func(r *DoorLockActivateRequest) { r.Description = "" }),
		"long description":      with(func(r *DoorLockActivateRequest) { r.Description = long }),
		"no activation token":   with(func(r *DoorLockActivateRequest) { r.ActivationToken = "" }),
		"no lock group":         with(func(r *DoorLockActivateRequest) { r.LockGroupID = 0 }),
		"confirmation level 4":  with(func(r *DoorLockActivateRequest) { r.ConfirmationLevel = Ptr(ConfirmationLevel(4)) }),
		"confirmation level -1": with(func(r *DoorLockActivateRequest) { r.ConfirmationLevel = Ptr(ConfirmationLevel(-1)) }),
		"unknown secondary":     with(func(r *DoorLockActivateRequest) { r.SecondaryType = "cellar" }),
	} {
		_, _, err := c.DoorLocks.Activate(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
	for name, req := range map[string]DoorLockUpdate{
		"long description":     {Description: Ptr(long)},
		"confirmation level 4": {ConfirmationLevel: Ptr(ConfirmationLevel(4))},
		"unknown secondary":    {SecondaryType: Ptr(SecondaryType("cellar"))},
	} {
		_, _, err := c.DoorLocks.Update(ctx, 4, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
	errs := map[string]error{}
	_, _, errs["IsSerialNumberValid"] = c.DoorLocks.IsSerialNumberValid(ctx, "")
	_, _, errs["IsActivationTokenValid no serial"] = c.DoorLocks.IsActivationTokenValid(ctx, DoorLockActivationTokenRequest{ActivationToken: "t"})
	_, _, errs["IsActivationTokenValid no token"] = c.DoorLocks.IsActivationTokenValid(ctx, DoorLockActivationTokenRequest{LockSerialNumber: "s"})
	_, errs["StartInstallation"] = c.DoorLocks.StartInstallation(ctx, "")
	_, _, errs["TransferOwnership no lock"] = c.DoorLocks.TransferOwnership(ctx, DoorLockTransferRequest{UserID: 7})
	_, _, errs["TransferOwnership no user"] = c.DoorLocks.TransferOwnership(ctx, DoorLockTransferRequest{DoorLockID: 4})
	_, errs["Delete no password"] = c.DoorLocks.Delete(ctx, 4, "")
	_, _, errs["GetKToken no lock"] = c.DoorLocks.GetKToken(ctx, DoorLockKTokenRequest{PKey: "k"})
	_, _, errs["GetKToken no key"] = c.DoorLocks.GetKToken(ctx, DoorLockKTokenRequest{DoorLockID: 4})
	_, _, errs["GetKTokens none"] = c.DoorLocks.GetKTokens(ctx, nil)
	_, _, errs["GetKTokens zero id"] = c.DoorLocks.GetKTokens(ctx, []ID{4, 0})
	_, _, errs["AddToGroup no group"] = c.DoorLocks.AddToGroup(ctx, DoorLockAddToGroupRequest{Locks: []ID{1}})
	_, _, errs["AddToGroup no locks"] = c.DoorLocks.AddToGroup(ctx, DoorLockAddToGroupRequest{GroupID: 34})
	_, _, errs["GetStatusFromSerialNumber"] = c.DoorLocks.GetStatusFromSerialNumber(ctx, "")
	for name, err := range errs {
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
}

func TestDoorLockSettingsDecode(t *testing.T) {
	raw := `{"ssid": "Havr-lock", "password": "password", "serial_number": "d13fa32510a1d73e48f0c78a41f6f018", "activation_token": "activation_token"}`
	for name, enc := range map[string]*base64.Encoding{
		"std": base64.StdEncoding, "raw std": base64.RawStdEncoding, "url": base64.URLEncoding, "raw url": base64.RawURLEncoding,
	} {
		got, err := DecodeDoorLockSettings(enc.EncodeToString([]byte(raw)))
		require.NoError(t, err, name)
		assert.Equal(t, testDoorLockSettings, got, name)
	}
	// Secrets stay out of prints.
	printed := fmt.Sprintf("%v %+v", testDoorLockSettings, DoorLockSettingsCode{Base64: access.Secret(testDoorLockSettingsBase64)})
	assert.NotContains(t, printed, "password password")
	// The document's example token is "activation_token", the field's name.
	assert.Equal(t, strings.Count(printed, "activation_token:[redacted]"), strings.Count(printed, "activation_token"), printed)
	assert.Contains(t, printed, "activation_token:[redacted]")
	assert.NotContains(t, printed, testDoorLockSettingsBase64)

	for name, in := range map[string]string{"empty": "", "not base64": "iv.....==", "not JSON": base64.StdEncoding.EncodeToString([]byte("secret"))} {
		_, err := DecodeDoorLockSettings(in)
		require.Error(t, err, name)
		assert.NotContains(t, err.Error(), "secret", name)
	}
}

// A null or absent door lock in the serial-number status answer is an
// error, never a nil result with a nil error.
func TestDoorLockStatusFromSerialNumberEmpty(t *testing.T) {
	for _, body := range []string{`{"door_lock": null}`, `{}`} {
		c := newTestClient(t, roundTripFunc(func(req *http.Request) (*http.Response, error) {
			return testDoorLockJSON(req, body), nil
		}))
		v, _, err := c.DoorLocks.GetStatusFromSerialNumber(context.Background(), "s")
		require.Error(t, err, body)
		assert.Nil(t, v)
	}
}

// GetKTokens answers an empty map, not nil, when the answer has none.
func TestDoorLockKTokensEmpty(t *testing.T) {
	c := newTestClient(t, roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return testDoorLockJSON(req, `{"door_locks": null}`), nil
	}))
	v, _, err := c.DoorLocks.GetKTokens(context.Background(), []ID{4})
	require.NoError(t, err)
	assert.NotNil(t, v)
	assert.Empty(t, v)
}

// testDoorLockJSON answers req with a 200 JSON body.
func testDoorLockJSON(req *http.Request, body string) *http.Response {
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}
}
