package primis

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// ControlledAreasService covers controlled areas (doors): listing them,
// setting their state and unlocking them momentarily.
//
// Primis separates administrator calls from user calls. Methods named Admin...
// need a Primis administrator; a non-administrator gets the server's error.
type ControlledAreasService service

// ControlledArea is an area controlled by one or more devices: a door.
type ControlledArea struct {
	ID          ID     `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Toggle "T" keeps a changed state indefinitely, disabling activation
	// times.
	Toggle string `json:"toggle"`
	// Factor is the multi-factor setting; 0 is single factor.
	Factor int `json:"factor"`
	// AuthorizationTimeout is the multi-factor timeout in seconds
	// ("authorizationTimout" in the API).
	AuthorizationTimeout int `json:"authorizationTimout"`
	// AuthorizationMode is the multi-factor mode; 0 is single user.
	AuthorizationMode int `json:"authorizationMode"`
	// GuardGroup is deprecated by Primis.
	GuardGroup string `json:"guardGroup"`
	// State is e.g. "open" (relay opened) or "LOCKDOWN" (no access allowed).
	State       AreaState    `json:"state"`
	ZoneGroupID string       `json:"zoneGroupId"` // "" when not in a zone group
	SiteID      string       `json:"siteId"`
	GeoLocation *GeoLocation `json:"geoLocation,omitempty"`
}

// AreaState is a controlled area's state as listed.
type AreaState string

// The states the document names.
const (
	AreaOpen     AreaState = "open"
	AreaLockdown AreaState = "LOCKDOWN"
)

// IsLockdown reports the lockdown state, in which no access is allowed.
func (s AreaState) IsLockdown() bool { return strings.EqualFold(string(s), string(AreaLockdown)) }

// GeoLocation is a controlled area's geolocation access configuration.
type GeoLocation struct {
	Enabled bool       `json:"enabled"`
	Beacon  *BeaconRef `json:"beacon,omitempty"`
	GPS     *GPSArea   `json:"gps,omitempty"`
}

// BeaconRef identifies the beacon of a controlled area.
type BeaconRef struct {
	UniqueID string `json:"uniqueId"`
	Major    int    `json:"major"`
	Minor    int    `json:"minor"`
}

// GPSArea is the circle in which GPS access requests are granted.
type GPSArea struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	UnitType  string  `json:"unitType"` // unit of Radius
	Radius    float64 `json:"radius"`
}

// List returns the controlled areas accessible by the user.
//
// GET /api/mobile/controlled_areas
func (s *ControlledAreasService) List(ctx context.Context) ([]ControlledArea, *Response, error) {
	return do[[]ControlledArea](ctx, s.client.api, rest.Get("api/mobile/controlled_areas"))
}

// AdminList returns the controlled areas, for a Primis administrator.
//
// GET /api/mobile/:phoneId/controlled_areas
func (s *ControlledAreasService) AdminList(ctx context.Context) ([]ControlledArea, *Response, error) {
	return do[[]ControlledArea](ctx, s.client.api, rest.Get("api/mobile/%v/controlled_areas", s.client.phoneID))
}

// ListByAccessGroup returns the controlled areas of an access group, for a
// Primis administrator.
//
// GET /api/access_groups/:accessGroupId/controlled_areas_detail
func (s *ControlledAreasService) ListByAccessGroup(ctx context.Context, accessGroupID string) ([]ControlledArea, *Response, error) {
	if err := validateID("accessGroupID", ID(accessGroupID)); err != nil {
		return nil, nil, err
	}
	return do[[]ControlledArea](ctx, s.client.api, rest.Get("api/access_groups/%v/controlled_areas_detail", accessGroupID))
}

// StateCode is a state to set on a controlled area. The document names only
// 11 (open); its example sets 12, whose meaning it does not give. Other
// codes are passed through.
type StateCode int

// StateCodeOpen opens the controlled area.
const StateCodeOpen StateCode = 11

// StateChange sets the state of one controlled area.
type StateChange struct {
	ZoneID ID        `json:"zone-id"`
	State  StateCode `json:"state"`
}

func (c StateChange) validate(field string) error {
	if err := validateID(field+".ZoneID", c.ZoneID); err != nil {
		return err
	}
	if c.State <= 0 {
		return access.Invalid(field+".State", "is required")
	}
	return nil
}

// CommandResult is Primis's answer to a state change or an unlock: status
// "ok" means the API reached Primis, result "Granted" that Primis did it.
type CommandResult struct {
	Status string `json:"status"`
	Result string `json:"result"`
}

// Granted reports whether Primis carried out the command.
func (r *CommandResult) Granted() bool { return strings.EqualFold(r.Result, "granted") }

// SetState sets the state of one controlled area (administrator only).
//
// POST /api/mobile/zone_state
func (s *ControlledAreasService) SetState(ctx context.Context, change StateChange) (*CommandResult, *Response, error) {
	if err := change.validate("change"); err != nil {
		return nil, nil, err
	}
	return do[*CommandResult](ctx, s.client.api, rest.Post("api/mobile/zone_state").WithBody(change))
}

// SetStates sets the state of several controlled areas (administrator only).
//
// POST /api/mobile/zone_states
func (s *ControlledAreasService) SetStates(ctx context.Context, changes []StateChange) (*CommandResult, *Response, error) {
	if len(changes) == 0 {
		return nil, nil, access.Invalid("changes", "at least one is required")
	}
	for i, c := range changes {
		if err := c.validate(fmt.Sprintf("changes[%d]", i)); err != nil {
			return nil, nil, err
		}
	}
	return do[*CommandResult](ctx, s.client.api, rest.Post("api/mobile/zone_states").WithBody(changes))
}

// Unlock momentarily unlocks one controlled area.
type Unlock struct {
	ZoneID ID
	// Duration is how long the area stays unlocked, sent in whole seconds
	// (rounded up).
	Duration time.Duration
}

type unlockBody struct {
	ZoneID   ID    `json:"zone-id"`
	Duration int64 `json:"duration"`
}

// MarshalJSON writes the documented {"zone-id", "duration"} with duration in
// seconds.
func (u Unlock) MarshalJSON() ([]byte, error) {
	secs := int64((u.Duration + time.Second - 1) / time.Second)
	return json.Marshal(unlockBody{ZoneID: u.ZoneID, Duration: secs})
}

// UnmarshalJSON reads {"zone-id", "duration"} with duration in seconds.
func (u *Unlock) UnmarshalJSON(b []byte) error {
	var body unlockBody
	if err := json.Unmarshal(b, &body); err != nil {
		return err
	}
	u.ZoneID, u.Duration = body.ZoneID, time.Duration(body.Duration)*time.Second
	return nil
}

func (u Unlock) validate(field string) error {
	if err := validateID(field+".ZoneID", u.ZoneID); err != nil {
		return err
	}
	if u.Duration <= 0 {
		return access.Invalid(field+".Duration", "must be positive")
	}
	return nil
}

func validateUnlocks(unlocks []Unlock) error {
	if len(unlocks) == 0 {
		return access.Invalid("unlocks", "at least one is required")
	}
	for i, u := range unlocks {
		if err := u.validate(fmt.Sprintf("unlocks[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// Unlock momentarily unlocks a controlled area accessible by the user. A
// refusal comes back as a result that is not Granted, not as an error.
// The call is never retried once it may have reached the server.
//
// POST /api/mobile/user/unlock_zone
func (s *ControlledAreasService) Unlock(ctx context.Context, u Unlock) (*CommandResult, *Response, error) {
	if err := u.validate("unlock"); err != nil {
		return nil, nil, err
	}
	return do[*CommandResult](ctx, s.client.api, rest.Post("api/mobile/user/unlock_zone").WithBody(u))
}

// UnlockMany momentarily unlocks several controlled areas accessible by the
// user.
//
// POST /api/mobile/user/unlock_zones
func (s *ControlledAreasService) UnlockMany(ctx context.Context, unlocks []Unlock) (*CommandResult, *Response, error) {
	if err := validateUnlocks(unlocks); err != nil {
		return nil, nil, err
	}
	return do[*CommandResult](ctx, s.client.api, rest.Post("api/mobile/user/unlock_zones").WithBody(unlocks))
}

// AdminUnlock momentarily unlocks any controlled area (administrator only).
//
// POST /api/mobile/unlock_zone
func (s *ControlledAreasService) AdminUnlock(ctx context.Context, u Unlock) (*CommandResult, *Response, error) {
	if err := u.validate("unlock"); err != nil {
		return nil, nil, err
	}
	return do[*CommandResult](ctx, s.client.api, rest.Post("api/mobile/unlock_zone").WithBody(u))
}

// AdminUnlockMany momentarily unlocks several controlled areas
// (administrator only).
//
// POST /api/mobile/unlock_zones
func (s *ControlledAreasService) AdminUnlockMany(ctx context.Context, unlocks []Unlock) (*CommandResult, *Response, error) {
	if err := validateUnlocks(unlocks); err != nil {
		return nil, nil, err
	}
	return do[*CommandResult](ctx, s.client.api, rest.Post("api/mobile/unlock_zones").WithBody(unlocks))
}
