package havr

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testSyncAllModels = []SyncModel{SyncSharedKeys, SyncContacts, SyncLockGroups, SyncDoorLocks, SyncUsers}

var testSyncResult = SyncResult{
	SharedKeys: []SharedKey{{ID: 20, UserID: 6, DoorLockID: 9,
		StartDate: At(time.Date(2017, 4, 1, 12, 30, 0, 0, time.UTC)), EndDate: At(time.Date(2017, 4, 1, 13, 0, 0, 0, time.UTC)),
		ExistingStatus: StatusActive, LockUserNumber: "lock_user_number", OriginUserID: 8, LastKTokenID: "last_k_token_id"}},
	DoorLocks: []DoorLock{{ID: 4, LockSerialNumber: "lock_serial_number", Description: "description of lock", UserID: 6,
		LisaToken: "AbZ123", ExistingStatus: StatusActive, SecondaryType: SecondaryMain, NbUsers: 3,
		ConfirmationLevel: ConfirmAdmin, LockGroupID: 34, BatteryLevel: 80, LastKTokenID: "last_k_token_id", Mode: ModeNormal}},
	Contacts: []Contact{testContact},
	LockGroups: []LockGroup{{ID: 34, UserID: 6, Description: "a group", SubGroups: []ID{}, LockGroupID: 33,
		LockGroupType: LockGroupPersonal, Icon: "icon_code", AddressStreet: "99, rue de Rivoli", AddressCity: "Paris",
		AddressCountry: "France", ZipCode: "75000"}},
	Users: []User{testUser},
}

func TestSynchronizationEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "Synchronize", Method: "POST", Path: "/v1/synchronization",
			Request: "sync_synchronize_request.json", Response: "sync_synchronize_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Synchronization.Synchronize(ctx, SyncRequest{Models: testSyncAllModels, Since: time.Unix(1555231440, 0)})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testSyncResult, v) },
		},
		{
			// Without a sync date, sync_date is left out; models not asked
			// for are nil.
			Name: "Synchronize: everything", Method: "POST", Path: "/v1/synchronization",
			Request:  `{"models": ["contacts"]}`,
			Response: `{"contacts": [{"id": 5, "user_id": 6, "user_contact_id": 4, "request_status": "accepted"}]}`,
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Synchronization.Synchronize(ctx, SyncRequest{Models: []SyncModel{SyncContacts}})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &SyncResult{Contacts: []Contact{testContact}}, v) },
		},
	})
}

// The plural keys, spelled like the request's model names, are read too.
func TestSynchronizationPluralKeys(t *testing.T) {
	var r SyncResult
	require.NoError(t, json.Unmarshal([]byte(`{"shared_keys": [{"id": 20}], "door_locks": [{"id": 4}]}`), &r))
	assert.Equal(t, SyncResult{SharedKeys: []SharedKey{{ID: 20}}, DoorLocks: []DoorLock{{ID: 4}}}, r)
}

// The document gives these errors without a status; 400 is assumed. Their
// codes make them ErrInvalid whatever the status.
func TestSynchronizationErrors(t *testing.T) {
	sync := func(ctx context.Context, c *Client) error {
		_, _, err := c.Synchronization.Synchronize(ctx, SyncRequest{Models: testSyncAllModels})
		return err
	}
	harness.RunErrors(t, []errorCase{
		{Name: "Synchronize: null models", Status: 400, Sentinel: access.ErrInvalid, Call: sync,
			Body: `{
    "error": "Models parameter can't be nil",
    "error_code": "invalid_models"
}`, Check: havrError(400, "invalid_models", "Models parameter can't be nil")},
		{Name: "Synchronize: invalid epoch", Status: 400, Sentinel: access.ErrInvalid, Call: sync,
			Body: `{
    "error": "Invalid epoch format: should have integer value",
    "error_code": "invalid_epoch_format"
}`, Check: havrError(400, "invalid_epoch_format", "Invalid epoch format: should have integer value")},
	})
}

func TestSynchronizationValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	for name, req := range map[string]SyncRequest{
		"no models":        {},
		"empty models":     {Models: []SyncModel{}},
		"unknown model":    {Models: []SyncModel{SyncContacts, "floor_maps"}},
		"singular name":    {Models: []SyncModel{"user"}},
		"before the epoch": {Models: []SyncModel{SyncUsers}, Since: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)},
	} {
		_, _, err := c.Synchronization.Synchronize(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
}
