package havr

import (
	"context"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// FloorMapsService covers floor maps: pictures of a floor, in a floor map
// group, on which door locks are pinned.
type FloorMapsService service

// FloorMap is a floor plan picture in a floor map group.
type FloorMap struct {
	ID              ID                    `json:"id"`
	FloorMapGroupID ID                    `json:"floor_map_group_id"`
	Name            string                `json:"name"`
	FileExtension   FloorMapFileExtension `json:"file_extension,omitempty"`
	// PictureURL is relative to a download endpoint the document leaves to
	// the Havr admin.
	PictureURL string `json:"picture_url,omitempty"`
}

// FloorMapWithFile is a floor map and its picture file.
type FloorMapWithFile struct {
	FloorMap
	Picture []byte `json:"base64_picture"` // base64 in JSON
}

// FloorMapFileExtension is the format of a floor map picture.
type FloorMapFileExtension string

// Floor map picture formats.
const (
	FloorMapPNG  FloorMapFileExtension = "png"
	FloorMapJPG  FloorMapFileExtension = "jpg"
	FloorMapJPEG FloorMapFileExtension = "jpeg"
)

func (e FloorMapFileExtension) validate() error {
	switch e {
	case FloorMapPNG, FloorMapJPG, FloorMapJPEG:
		return nil
	}
	return access.Invalid("FileExtension", `must be "png", "jpg" or "jpeg"`)
}

// List returns the floor maps of the current user.
//
// GET /v1/floor_maps
func (s *FloorMapsService) List(ctx context.Context) ([]FloorMap, *Response, error) {
	return do[[]FloorMap](ctx, s.client.api, rest.Get("v1/floor_maps"))
}

// Get returns a floor map without its picture.
//
// GET /v1/floor_maps/:floor_map_id
func (s *FloorMapsService) Get(ctx context.Context, floorMapID ID) (*FloorMap, *Response, error) {
	return do[*FloorMap](ctx, s.client.api, rest.Get("v1/floor_maps/%v", floorMapID))
}

// GetWithFile returns a floor map with its picture file.
//
// GET /v1/floor_maps/show_with_file/:floor_map_id
func (s *FloorMapsService) GetWithFile(ctx context.Context, floorMapID ID) (*FloorMapWithFile, *Response, error) {
	return do[*FloorMapWithFile](ctx, s.client.api, rest.Get("v1/floor_maps/show_with_file/%v", floorMapID))
}

// FloorMapRequest creates a floor map.
type FloorMapRequest struct {
	Name            string                `json:"name"`
	FloorMapGroupID ID                    `json:"floor_map_group_id"`
	FileExtension   FloorMapFileExtension `json:"file_extension"`
	Picture         []byte                `json:"base64_picture"` // the file itself; JSON carries it in base64
}

// validateFloorMap checks the fields the document marks required for both
// creating and updating a floor map.
func validateFloorMap(name string, groupID ID, ext FloorMapFileExtension, picture []byte) error {
	if name == "" {
		return access.Invalid("Name", "is required")
	}
	if groupID == 0 {
		return access.Invalid("FloorMapGroupID", "is required")
	}
	if err := ext.validate(); err != nil {
		return err
	}
	if len(picture) == 0 {
		return access.Invalid("Picture", "is required")
	}
	return nil
}

// Create uploads a floor map into a floor map group.
//
// The document wraps the body under "floor_map_group", not "floor_map";
// it is sent as documented.
//
// POST /v1/floor_maps
func (s *FloorMapsService) Create(ctx context.Context, req FloorMapRequest) (*FloorMap, *Response, error) {
	if err := validateFloorMap(req.Name, req.FloorMapGroupID, req.FileExtension, req.Picture); err != nil {
		return nil, nil, err
	}
	call := rest.Post("v1/floor_maps").WithBody(wrap("floor_map_group", req))
	return do[*FloorMap](ctx, s.client.api, call)
}

// FloorMapUpdate replaces a floor map. The document marks every field
// required for an update as well (unlike floor map positions), so they are
// values and all are sent.
type FloorMapUpdate struct {
	Name            string                `json:"name"`
	FloorMapGroupID ID                    `json:"floor_map_group_id"`
	FileExtension   FloorMapFileExtension `json:"file_extension"`
	Picture         []byte                `json:"base64_picture"`
}

// Update replaces a floor map's name, group and picture.
//
// The document wraps the body under "floor_map_group", as for Create; it is
// sent as documented.
//
// PATCH /v1/floor_maps/:floor_map_id
func (s *FloorMapsService) Update(ctx context.Context, floorMapID ID, req FloorMapUpdate) (*FloorMap, *Response, error) {
	if err := validateFloorMap(req.Name, req.FloorMapGroupID, req.FileExtension, req.Picture); err != nil {
		return nil, nil, err
	}
	call := rest.Patch("v1/floor_maps/%v", floorMapID).WithBody(wrap("floor_map_group", req))
	return do[*FloorMap](ctx, s.client.api, call)
}

// Delete deletes a floor map.
//
// DELETE /v1/floor_maps/:floor_map_id
func (s *FloorMapsService) Delete(ctx context.Context, floorMapID ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/floor_maps/%v", floorMapID))
}
