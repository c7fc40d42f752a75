package havr

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// LockConfigurationsService covers lock configurations: the WiFi network,
// bolt time and auto-locking timer of the door locks the current user owns
// or administers.
type LockConfigurationsService service

// LockConfiguration is the configuration of a door lock.
type LockConfiguration struct {
	ID           ID            `json:"id"`
	DoorLockID   ID            `json:"door_lock_id"`
	WiFiSSID     string        `json:"wifi_ssid"`
	WiFiPassword access.Secret `json:"wifi_password"`
	// BoltTime is the time the bolt is held, 1 to 10 (seconds). The object
	// spells it "bold_time", and its example gives a string ("5") where its
	// table says integer: a number and a string of digits are both read.
	BoltTime          LockConfigurationSeconds `json:"bold_time"`
	SSIDLastUpdatedAt Time                     `json:"ssid_last_updated_at,omitzero"`
	BoltLastUpdatedAt Time                     `json:"bolt_last_updated_at,omitzero"`
	// AutoLockingTimer is 2 to 30 seconds, 5 by default.
	AutoLockingTimer         LockConfigurationSeconds `json:"auto_locking_timer,omitempty"`
	AutoLockingLastUpdatedAt Time                     `json:"auto_locking_last_updated_at,omitzero"`
}

// LockConfigurationSeconds is a duration in whole seconds. It reads a JSON
// number or a string of digits, as the document shows both.
type LockConfigurationSeconds int

func (s *LockConfigurationSeconds) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*s = 0
		return nil
	}
	str := string(b)
	if len(b) > 1 && b[0] == '"' {
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		if str == "" {
			*s = 0
			return nil
		}
	}
	n, err := strconv.Atoi(str)
	if err != nil {
		return fmt.Errorf("havr: %s is not a whole number of seconds", b)
	}
	*s = LockConfigurationSeconds(n)
	return nil
}

// Documented ranges, in seconds.
const (
	minBoltTime         = 1
	maxBoltTime         = 10
	minAutoLockingTimer = 2
	maxAutoLockingTimer = 30
)

func validateLockConfigurationRanges(field string, bolt, auto *int) error {
	if bolt != nil && (*bolt < minBoltTime || *bolt > maxBoltTime) {
		return access.Invalid(field+"BoltTime", fmt.Sprintf("%d is not between %d and %d", *bolt, minBoltTime, maxBoltTime))
	}
	if auto != nil && (*auto < minAutoLockingTimer || *auto > maxAutoLockingTimer) {
		return access.Invalid(field+"AutoLockingTimer", fmt.Sprintf("%d is not between %d and %d", *auto, minAutoLockingTimer, maxAutoLockingTimer))
	}
	return nil
}

// lockConfigurationAnswer reads the answer of Get and Update, which the
// document gives as a list ("[LockConfiguration]") though they concern one
// configuration: it takes an object or the first element of a list.
type lockConfigurationAnswer struct {
	config *LockConfiguration
}

func (a *lockConfigurationAnswer) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []LockConfiguration
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		if len(list) == 0 {
			return fmt.Errorf("havr: empty list of lock configurations")
		}
		a.config = &list[0]
		return nil
	}
	var c *LockConfiguration
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	a.config = c
	return nil
}

func oneLockConfiguration(a lockConfigurationAnswer, resp *Response, err error) (*LockConfiguration, *Response, error) {
	if err != nil {
		return nil, resp, err
	}
	if a.config == nil {
		return nil, resp, fmt.Errorf("havr: lock configuration: %w", rest.ErrEmptyBody)
	}
	return a.config, resp, nil
}

// List returns the configurations of the door locks the current user owns
// or administers. The document shows no answer; a list is read.
//
// GET /v1/lock_configurations
func (s *LockConfigurationsService) List(ctx context.Context) ([]LockConfiguration, *Response, error) {
	return do[[]LockConfiguration](ctx, s.client.api, rest.Get("v1/lock_configurations"))
}

// Get returns a lock configuration. The document answers a list
// ("[LockConfiguration]"); its first element is returned, and a plain
// object is read too.
//
// GET /v1/lock_configurations/:id
func (s *LockConfigurationsService) Get(ctx context.Context, id ID) (*LockConfiguration, *Response, error) {
	return oneLockConfiguration(do[lockConfigurationAnswer](ctx, s.client.api, rest.Get("v1/lock_configurations/%v", id)))
}

// LockConfigurationUpdate changes a lock configuration; nil fields are left
// as they are. The document's example sends wifi_ssid only; the other
// fields are the object's attributes, under the object's names.
type LockConfigurationUpdate struct {
	WiFiSSID         *string        `json:"wifi_ssid,omitempty"`
	WiFiPassword     *access.Secret `json:"wifi_password,omitempty"`
	BoltTime         *int           `json:"bold_time,omitempty"` // 1..10 seconds; the object's spelling
	AutoLockingTimer *int           `json:"auto_locking_timer,omitempty"`
}

// Update changes a lock configuration. Like Get, the document answers a
// list; its first element is returned.
//
// PATCH /v1/lock_configurations/:id
func (s *LockConfigurationsService) Update(ctx context.Context, id ID, req LockConfigurationUpdate) (*LockConfiguration, *Response, error) {
	if err := validateLockConfigurationRanges("", req.BoltTime, req.AutoLockingTimer); err != nil {
		return nil, nil, err
	}
	call := rest.Patch("v1/lock_configurations/%v", id).WithBody(wrap("lock_configuration", req))
	return oneLockConfiguration(do[lockConfigurationAnswer](ctx, s.client.api, call))
}

// LockConfigurationChange changes the configuration of one door lock in
// UpdateMultiple; nil fields are left as they are. Its bolt time is sent as
// "bolt_time", as the document's example for this call has it (the object
// itself says "bold_time").
type LockConfigurationChange struct {
	DoorLockID       ID             `json:"door_lock_id"`
	BoltTime         *int           `json:"bolt_time,omitempty"` // 1..10 seconds
	WiFiPassword     *access.Secret `json:"wifi_password,omitempty"`
	WiFiSSID         *string        `json:"wifi_ssid,omitempty"`
	AutoLockingTimer *int           `json:"auto_locking_timer,omitempty"`
}

// UpdateMultiple changes the configurations of several door locks at once.
//
// POST /v1/lock_configurations/update_multiple_lock_configs
func (s *LockConfigurationsService) UpdateMultiple(ctx context.Context, changes []LockConfigurationChange) ([]LockConfiguration, *Response, error) {
	if len(changes) == 0 {
		return nil, nil, access.Invalid("Changes", "at least one change is required")
	}
	for i, c := range changes {
		field := fmt.Sprintf("Changes[%d].", i)
		if err := validateDoorLockID(field+"DoorLockID", c.DoorLockID); err != nil {
			return nil, nil, err
		}
		if err := validateLockConfigurationRanges(field, c.BoltTime, c.AutoLockingTimer); err != nil {
			return nil, nil, err
		}
	}
	body := map[string][]LockConfigurationChange{"lock_configurations": changes}
	return do[[]LockConfiguration](ctx, s.client.api, rest.Post("v1/lock_configurations/update_multiple_lock_configs").WithBody(body))
}
