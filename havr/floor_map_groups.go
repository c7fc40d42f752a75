package havr

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// FloorMapGroupsService covers floor map groups: a user's buildings, each
// holding floor maps on which door locks are pinned.
type FloorMapGroupsService service

// FloorMapGroup groups floor maps, e.g. the floors of a building.
type FloorMapGroup struct {
	ID     ID     `json:"id"`
	UserID ID     `json:"user_id"` // the owner
	Name   string `json:"name"`    // the document calls it the group's description
}

// FloorMapGroupWithFloorMaps is a floor map group and its floor maps.
//
// The document describes the answer as "Employment with floor_map:
// FloorMapModel". "Employment" is a slip for the group itself (the section,
// the error and the description are all about floor map groups), so the
// group is embedded. The key "floor_map" is kept as documented; the
// document types it as one floor map while saying the group's floor maps
// are shown, so FloorMaps reads either one object or an array.
type FloorMapGroupWithFloorMaps struct {
	FloorMapGroup
	FloorMaps []FloorMap `json:"floor_map"`
}

// UnmarshalJSON reads "floor_map" as one floor map or a list of them.
func (g *FloorMapGroupWithFloorMaps) UnmarshalJSON(b []byte) error {
	var out FloorMapGroupWithFloorMaps
	raw, err := floorMapGroupDecode(b, &out.FloorMapGroup)
	if err != nil {
		return err
	}
	if out.FloorMaps, err = floorMapGroupOneOrMany[FloorMap](raw); err != nil {
		return err
	}
	*g = out
	return nil
}

// FloorMapGroupWithFloorMapFiles is a floor map group and its floor maps
// with their picture files. The document describes it as "Employment with
// floor_map: FloorMapModel and its base64_picture attribute"; see
// FloorMapGroupWithFloorMaps for how that is read.
type FloorMapGroupWithFloorMapFiles struct {
	FloorMapGroup
	FloorMaps []FloorMapWithFile `json:"floor_map"`
}

// UnmarshalJSON reads "floor_map" as one floor map or a list of them.
func (g *FloorMapGroupWithFloorMapFiles) UnmarshalJSON(b []byte) error {
	var out FloorMapGroupWithFloorMapFiles
	raw, err := floorMapGroupDecode(b, &out.FloorMapGroup)
	if err != nil {
		return err
	}
	if out.FloorMaps, err = floorMapGroupOneOrMany[FloorMapWithFile](raw); err != nil {
		return err
	}
	*g = out
	return nil
}

// floorMapGroupDecode decodes the group's own fields into group and returns
// the raw "floor_map" value.
func floorMapGroupDecode(b []byte, group *FloorMapGroup) (json.RawMessage, error) {
	var raw struct {
		FloorMap json.RawMessage `json:"floor_map"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, group); err != nil {
		return nil, err
	}
	return raw.FloorMap, nil
}

// floorMapGroupOneOrMany decodes a JSON object as a one-element list, an
// array as a list, and null or nothing as no list.
func floorMapGroupOneOrMany[T any](raw json.RawMessage) ([]T, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return nil, nil
	case raw[0] == '[':
		var many []T
		if err := json.Unmarshal(raw, &many); err != nil {
			return nil, err
		}
		return many, nil
	}
	var one T
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	return []T{one}, nil
}

// FloorMapGroupShowOptions selects the group of GetWithFloorMaps and
// GetWithFloorMapFiles.
type FloorMapGroupShowOptions struct {
	// FloorMapGroupID is sent as the query parameter floor_map_group_id.
	// The document gives these endpoints no parameter, yet answers
	// "floor_map_group_id does not exist"; this is the parameter that error
	// names. Leave it zero to send the request exactly as documented.
	FloorMapGroupID ID `url:"floor_map_group_id,omitempty"`
}

// List returns the floor map groups of the current user.
//
// GET /v1/floor_map_groups
func (s *FloorMapGroupsService) List(ctx context.Context) ([]FloorMapGroup, *Response, error) {
	return do[[]FloorMapGroup](ctx, s.client.api, rest.Get("v1/floor_map_groups"))
}

// Get returns a floor map group.
//
// GET /v1/floor_map_groups/:floor_map_group_id
func (s *FloorMapGroupsService) Get(ctx context.Context, floorMapGroupID ID) (*FloorMapGroup, *Response, error) {
	return do[*FloorMapGroup](ctx, s.client.api, rest.Get("v1/floor_map_groups/%v", floorMapGroupID))
}

// GetWithFloorMaps returns a floor map group with its floor maps.
//
// The documented path has no floor_map_group_id although the endpoint
// answers that it does not exist; opts may send it as a query parameter
// (nil sends the documented request). See FloorMapGroupShowOptions.
//
// GET /v1/floor_map_groups/show_with_floor_maps
func (s *FloorMapGroupsService) GetWithFloorMaps(ctx context.Context, opts *FloorMapGroupShowOptions) (*FloorMapGroupWithFloorMaps, *Response, error) {
	call := rest.Get("v1/floor_map_groups/show_with_floor_maps").WithQuery(opts)
	return do[*FloorMapGroupWithFloorMaps](ctx, s.client.api, call)
}

// GetWithFloorMapFiles returns a floor map group with its floor maps and
// their picture files. opts is as for GetWithFloorMaps.
//
// GET /v1/floor_map_groups/show_with_floor_maps_with_file
func (s *FloorMapGroupsService) GetWithFloorMapFiles(ctx context.Context, opts *FloorMapGroupShowOptions) (*FloorMapGroupWithFloorMapFiles, *Response, error) {
	call := rest.Get("v1/floor_map_groups/show_with_floor_maps_with_file").WithQuery(opts)
	return do[*FloorMapGroupWithFloorMapFiles](ctx, s.client.api, call)
}

// FloorMapGroupRequest creates a floor map group.
type FloorMapGroupRequest struct {
	Name string `json:"name"`
}

// Create creates a floor map group owned by the current user.
//
// POST /v1/floor_map_groups
func (s *FloorMapGroupsService) Create(ctx context.Context, req FloorMapGroupRequest) (*FloorMapGroup, *Response, error) {
	if req.Name == "" {
		return nil, nil, access.Invalid("Name", "is required")
	}
	call := rest.Post("v1/floor_map_groups").WithBody(wrap("floor_map_group", req))
	return do[*FloorMapGroup](ctx, s.client.api, call)
}

// FloorMapGroupUpdate changes a floor map group. The document marks the
// name required here too, and it is the only field, so it is a value.
type FloorMapGroupUpdate struct {
	Name string `json:"name"`
}

// Update renames a floor map group.
//
// The document writes the path "PATCH /v1/floor_map_groups/floor_map_group_id",
// without the colon that marks the parameter; it is the group's id.
//
// PATCH /v1/floor_map_groups/:floor_map_group_id
func (s *FloorMapGroupsService) Update(ctx context.Context, floorMapGroupID ID, req FloorMapGroupUpdate) (*FloorMapGroup, *Response, error) {
	if req.Name == "" {
		return nil, nil, access.Invalid("Name", "is required")
	}
	call := rest.Patch("v1/floor_map_groups/%v", floorMapGroupID).WithBody(wrap("floor_map_group", req))
	return do[*FloorMapGroup](ctx, s.client.api, call)
}

// Delete deletes a floor map group.
//
// DELETE /v1/floor_map_groups/:floor_map_group_id
func (s *FloorMapGroupsService) Delete(ctx context.Context, floorMapGroupID ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/floor_map_groups/%v", floorMapGroupID))
}
