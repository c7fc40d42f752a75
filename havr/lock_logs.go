package havr

import (
	"context"

	"github.com/doorkit/doorkit/internal/rest"
)

// LockLogsService covers lock logs: the lock and unlock events of door locks.
// Every call only reads, so the POST lists are retried like GETs.
type LockLogsService service

// LockLog is one lock event.
type LockLog struct {
	ID             ID             `json:"id"`
	UserID         ID             `json:"user_id,omitempty"`
	DoorLockID     ID             `json:"door_lock_id"`
	DeviceID       ID             `json:"device_id"`
	DoorLockStatus DoorLockStatus `json:"door_lock_status"`
	// Alert is the alert detail. The object example names it "alert", the
	// attribute table "alert_code"; both are read.
	Alert          string `json:"alert,omitempty"`
	AlertCode      string `json:"alert_code,omitempty"`
	EventTimestamp Time   `json:"event_timestamp"`
	LogType        string `json:"log_type"` // the means used, e.g. "flash"
}

// DoorLockStatus is a lock's state in a log.
type DoorLockStatus string

// Door lock statuses; NoInfo appears in status summaries only.
const (
	LockLocked   DoorLockStatus = "locked"
	LockUnlocked DoorLockStatus = "unlocked"
	LockAlert    DoorLockStatus = "alert"
	LockNoInfo   DoorLockStatus = "no_info"
)

// LockLogLastActivity is the last activity of a door lock of a lock group.
type LockLogLastActivity struct {
	DoorLockID ID `json:"door_lock_id"`
	// LastActivity is documented as "[LockLog]", a list of logs.
	LastActivity []LockLog `json:"last_activity"`
}

// List returns the current user's lock logs.
//
// GET /v1/lock_logs
func (s *LockLogsService) List(ctx context.Context) ([]LockLog, *Response, error) {
	return do[[]LockLog](ctx, s.client.api, rest.Get("v1/lock_logs"))
}

// ListForDoorLock returns the logs of a door lock.
//
// POST /v1/lock_logs/door_lock_detail
func (s *LockLogsService) ListForDoorLock(ctx context.Context, doorLockID ID) ([]LockLog, *Response, error) {
	body := wrap("door_lock", map[string]ID{"door_lock_id": doorLockID})
	return do[[]LockLog](ctx, s.client.api, rest.Post("v1/lock_logs/door_lock_detail").WithBody(body).Idempotent())
}

// ListForUser returns a user's logs on the door locks the current user
// administers.
//
// POST /v1/lock_logs/user_detail
func (s *LockLogsService) ListForUser(ctx context.Context, userID ID) ([]LockLog, *Response, error) {
	body := wrap("user", map[string]ID{"user_id": userID})
	return do[[]LockLog](ctx, s.client.api, rest.Post("v1/lock_logs/user_detail").WithBody(body).Idempotent())
}

// LockLogActivityRequest bounds the logs ListActivity returns; a zero date
// leaves that side open.
//
// The period is checked in whole seconds, Havr's resolution: EndDate must be
// after StartDate once both are truncated. That rule is an assumption; the
// document does not state it.
type LockLogActivityRequest struct {
	StartDate Time `json:"start_date,omitzero"`
	EndDate   Time `json:"end_date,omitzero"`
}

// ListActivity returns the logs of the door locks the current user owns or
// administers, between the request's dates. The body is sent bare, as
// documented.
//
// POST /v1/lock_logs/door_lock_activity
func (s *LockLogsService) ListActivity(ctx context.Context, req LockLogActivityRequest) ([]LockLog, *Response, error) {
	if err := validatePeriod(req.StartDate, req.EndDate, ""); err != nil {
		return nil, nil, err
	}
	return do[[]LockLog](ctx, s.client.api, rest.Post("v1/lock_logs/door_lock_activity").WithBody(req).Idempotent())
}

// ListLastActivity returns the last activity of every door lock in a lock
// group (a building).
//
// POST /v1/lock_logs/lock_group_last_activity
func (s *LockLogsService) ListLastActivity(ctx context.Context, lockGroupID ID) ([]LockLogLastActivity, *Response, error) {
	body := wrap("lock_group", map[string]ID{"lock_group_id": lockGroupID})
	return do[[]LockLogLastActivity](ctx, s.client.api, rest.Post("v1/lock_logs/lock_group_last_activity").WithBody(body).Idempotent())
}
