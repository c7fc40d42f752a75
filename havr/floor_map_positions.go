package havr

import (
	"context"
	"fmt"
	"math"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// FloorMapPositionsService covers floor map positions: where a door lock is
// pinned on a floor map.
type FloorMapPositionsService service

// FloorMapPosition pins a door lock on a floor map. X and Y are in percent
// of the map's width and height.
type FloorMapPosition struct {
	ID         ID      `json:"id"`
	FloorMapID ID      `json:"floor_map_id"`
	DoorLockID ID      `json:"door_lock_id"`
	X          float64 `json:"x"`
	Y          float64 `json:"y"`
}

// FloorMapPositionRequest creates a floor map position. The current user
// must own both the floor map and the door lock.
type FloorMapPositionRequest struct {
	FloorMapID ID      `json:"floor_map_id"`
	DoorLockID ID      `json:"door_lock_id"`
	X          float64 `json:"x"` // percent, 0 to 100
	Y          float64 `json:"y"` // percent, 0 to 100
}

func (r FloorMapPositionRequest) validate(prefix string) error {
	if r.FloorMapID == 0 {
		return access.Invalid(prefix+"FloorMapID", "is required")
	}
	if r.DoorLockID == 0 {
		return access.Invalid(prefix+"DoorLockID", "is required")
	}
	if err := validateFloorMapPercent(prefix+"X", r.X); err != nil {
		return err
	}
	return validateFloorMapPercent(prefix+"Y", r.Y)
}

// validateFloorMapPercent rejects a coordinate that is not a percentage of
// the map (NaN and infinities cannot even be encoded in JSON).
func validateFloorMapPercent(field string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 100 {
		return access.Invalid(field, fmt.Sprintf("%v is not a percentage between 0 and 100", v))
	}
	return nil
}

// List returns the floor map positions of the current user's active floor
// maps.
//
// GET /v1/floor_map_positions
func (s *FloorMapPositionsService) List(ctx context.Context) ([]FloorMapPosition, *Response, error) {
	return do[[]FloorMapPosition](ctx, s.client.api, rest.Get("v1/floor_map_positions"))
}

// Get returns a floor map position.
//
// GET /v1/floor_map_positions/:floor_map_position_id
func (s *FloorMapPositionsService) Get(ctx context.Context, floorMapPositionID ID) (*FloorMapPosition, *Response, error) {
	return do[*FloorMapPosition](ctx, s.client.api, rest.Get("v1/floor_map_positions/%v", floorMapPositionID))
}

// Create pins a door lock on a floor map.
//
// POST /v1/floor_map_positions
func (s *FloorMapPositionsService) Create(ctx context.Context, req FloorMapPositionRequest) (*FloorMapPosition, *Response, error) {
	if err := req.validate(""); err != nil {
		return nil, nil, err
	}
	call := rest.Post("v1/floor_map_positions").WithBody(wrap("floor_map_position", req))
	return do[*FloorMapPosition](ctx, s.client.api, call)
}

// BulkCreate pins several door locks in one request and returns the
// positions created. reqs must not be empty.
//
// POST /v1/floor_map_positions/bulk_create
func (s *FloorMapPositionsService) BulkCreate(ctx context.Context, reqs []FloorMapPositionRequest) ([]FloorMapPosition, *Response, error) {
	if len(reqs) == 0 {
		return nil, nil, access.Invalid("Positions", "must not be empty")
	}
	for i, req := range reqs {
		if err := req.validate(fmt.Sprintf("Positions[%d].", i)); err != nil {
			return nil, nil, err
		}
	}
	call := rest.Post("v1/floor_map_positions/bulk_create").WithBody(wrap("floor_map_positions", reqs))
	return do[[]FloorMapPosition](ctx, s.client.api, call)
}

// FloorMapPositionUpdate changes a floor map position; nil fields are left
// as they are. Pointers let a coordinate be moved to 0.
type FloorMapPositionUpdate struct {
	FloorMapID *ID      `json:"floor_map_id,omitempty"`
	DoorLockID *ID      `json:"door_lock_id,omitempty"`
	X          *float64 `json:"x,omitempty"`
	Y          *float64 `json:"y,omitempty"`
}

func (u FloorMapPositionUpdate) validate() error {
	if u.FloorMapID != nil && *u.FloorMapID == 0 {
		return access.Invalid("FloorMapID", "must not be 0")
	}
	if u.DoorLockID != nil && *u.DoorLockID == 0 {
		return access.Invalid("DoorLockID", "must not be 0")
	}
	if u.X != nil {
		if err := validateFloorMapPercent("X", *u.X); err != nil {
			return err
		}
	}
	if u.Y != nil {
		return validateFloorMapPercent("Y", *u.Y)
	}
	return nil
}

// Update moves a floor map position.
//
// The document writes the path "PATCH /v1/floor_map_positions/floor_map_position_id",
// without the colon that marks the parameter; it is the position's id.
//
// PATCH /v1/floor_map_positions/:floor_map_position_id
func (s *FloorMapPositionsService) Update(ctx context.Context, floorMapPositionID ID, req FloorMapPositionUpdate) (*FloorMapPosition, *Response, error) {
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	call := rest.Patch("v1/floor_map_positions/%v", floorMapPositionID).WithBody(wrap("floor_map_position", req))
	return do[*FloorMapPosition](ctx, s.client.api, call)
}

// Delete removes a floor map position.
//
// DELETE /v1/floor_map_positions/:floor_map_position_id
func (s *FloorMapPositionsService) Delete(ctx context.Context, floorMapPositionID ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/floor_map_positions/%v", floorMapPositionID))
}
