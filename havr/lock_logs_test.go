package havr

import (
	"context"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testLockLog is the document's Lock Log object.
var testLockLog = LockLog{
	ID: 1, UserID: 6, DoorLockID: 1, DeviceID: 2, DoorLockStatus: LockLocked, Alert: "security_alert",
	EventTimestamp: At(time.Date(2018, 10, 30, 8, 15, 54, 122e6, time.UTC)), LogType: "flash",
}

func TestLockLogsEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/lock_logs", Response: "lock_log_list_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.LockLogs.List(ctx); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, []LockLog{testLockLog}, v) },
		},
		{
			Name: "ListForDoorLock", Method: "POST", Path: "/v1/lock_logs/door_lock_detail",
			Request: "lock_log_door_lock_detail_request.json", Response: "lock_log_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockLogs.ListForDoorLock(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []LockLog{testLockLog}, v) },
		},
		{
			Name: "ListForUser", Method: "POST", Path: "/v1/lock_logs/user_detail",
			Request: "lock_log_user_detail_request.json", Response: "lock_log_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockLogs.ListForUser(ctx, 6)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []LockLog{testLockLog}, v) },
		},
		{
			Name: "ListActivity", Method: "POST", Path: "/v1/lock_logs/door_lock_activity",
			Request: "lock_log_door_lock_activity_request.json", Response: "lock_log_door_lock_activity_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockLogs.ListActivity(ctx, LockLogActivityRequest{
					// Sent as UTC without milliseconds whatever the zone.
					StartDate: At(time.Date(2017, 3, 14, 18, 0, 0, 250e6, time.FixedZone("CET", 60*60))),
					EndDate:   At(time.Date(2018, 3, 14, 17, 0, 0, 0, time.UTC)),
				})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				at := func(year int) Time { return At(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)) }
				assert.Equal(t, []LockLog{
					{ID: 5, DoorLockID: 1, DoorLockStatus: LockLocked, LogType: "flash", EventTimestamp: at(2007)},
					{ID: 4, DoorLockID: 2, DoorLockStatus: LockUnlocked, LogType: "flash", EventTimestamp: at(2008)},
					{ID: 2, DoorLockID: 5, DoorLockStatus: LockLocked, LogType: "auto", EventTimestamp: at(2018)},
				}, v)
			},
		},
		{
			Name: "ListLastActivity", Method: "POST", Path: "/v1/lock_logs/lock_group_last_activity",
			Request: "lock_log_lock_group_last_activity_request.json", Response: "lock_log_lock_group_last_activity_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockLogs.ListLastActivity(ctx, 34)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				var want []LockLogLastActivity
				for _, id := range []ID{1, 2, 5} {
					log := testLockLog
					log.DoorLockID = id
					want = append(want, LockLogLastActivity{DoorLockID: id, LastActivity: []LockLog{log}})
				}
				assert.Equal(t, want, v)
			},
		},
	})
}

func TestLockLogsErrors(t *testing.T) {
	forLock := func(ctx context.Context, c *Client) error {
		_, _, err := c.LockLogs.ListForDoorLock(ctx, 1)
		return err
	}
	forUser := func(ctx context.Context, c *Client) error { _, _, err := c.LockLogs.ListForUser(ctx, 6); return err }
	activity := func(ctx context.Context, c *Client) error {
		_, _, err := c.LockLogs.ListActivity(ctx, LockLogActivityRequest{})
		return err
	}
	lastActivity := func(ctx context.Context, c *Client) error {
		_, _, err := c.LockLogs.ListLastActivity(ctx, 34)
		return err
	}
	harness.RunErrors(t, []errorCase{
		{Name: "ListForDoorLock: another one's lock", Status: 403, Body: `{
  "error": "Can't access another one's lock",
  "error_code": "cant_access_another_ones_door_lock"
}`, Sentinel: access.ErrForbidden, Call: forLock,
			Check: havrError(403, "cant_access_another_ones_door_lock", "Can't access another one's lock")},
		{Name: "ListForDoorLock: lock does not exist", Status: 404, Body: `{
  "error": "Door lock does not exist",
  "error_code": "door_lock_does_not_exist"
}`, Sentinel: access.ErrNotFound, Call: forLock, Check: havrError(404, "door_lock_does_not_exist", "Door lock does not exist")},
		{Name: "ListForUser: user does not exist", Status: 404, Body: `{
  "error": "User does not exist",
  "error_code": "user_does_not_exist"
}`, Sentinel: access.ErrNotFound, Call: forUser, Check: havrError(404, "user_does_not_exist", "User does not exist")},
		// Documented with status 404; the code makes it ErrInvalid.
		{Name: "ListActivity: date format", Status: 404, Body: `{
  "error": "Invalid date format: should be UTC: ISO8601",
  "error_code": "invalid_date_format"
}`, Sentinel: access.ErrInvalid, Call: activity,
			Check: havrError(404, "invalid_date_format", "Invalid date format: should be UTC: ISO8601")},
		{Name: "ListLastActivity: lock group not found", Status: 404, Body: `{
  "error": "Lock group not found or must have access",
  "error_code": "lock_group_not_found_or_must_have_access"
}`, Sentinel: access.ErrNotFound, Call: lastActivity,
			Check: havrError(404, "lock_group_not_found_or_must_have_access", "Lock group not found or must have access")},
	})
}

func TestLockLogsValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	start := At(time.Date(2017, 3, 14, 17, 0, 0, 0, time.UTC))
	_, _, err := c.LockLogs.ListActivity(context.Background(), LockLogActivityRequest{StartDate: start, EndDate: At(start.Add(-time.Second))})
	require.ErrorIs(t, err, access.ErrInvalid)
}
