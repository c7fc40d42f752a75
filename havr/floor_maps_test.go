package havr

import (
	"context"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testFloorMap = FloorMap{ID: 1, FloorMapGroupID: 6, Name: "my building", FileExtension: FloorMapPNG,
	PictureURL: "pictures/floor_map/eef477e129cbe2509d90c3aba4b5e808eef477e129cbe2509d90c3aba4b5e808.png"}

// testFloorMapPicture is the document's base64_picture example,
// "4RiDRXhpZgAATU0AKgA...", cut before the ellipsis and padded to valid
// base64 ("4RiDRXhpZgAATU0AKgA=") in the testdata: the start of an Exif
// header.
var testFloorMapPicture = []byte{0xe1, 0x18, 0x83, 0x45, 'x', 'i', 'f', 0, 0, 'M', 'M', 0, '*', 0}

func TestFloorMapsEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/floor_maps", Response: "floor_map_list_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.FloorMaps.List(ctx); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, []FloorMap{testFloorMap}, v) },
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/floor_maps/1", Response: "floor_map.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.FloorMaps.Get(ctx, 1); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, &testFloorMap, v) },
		},
		{
			Name: "GetWithFile", Method: "GET", Path: "/v1/floor_maps/show_with_file/1", Response: "floor_map_show_with_file_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMaps.GetWithFile(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &FloorMapWithFile{FloorMap: testFloorMap, Picture: testFloorMapPicture}, v)
			},
		},
		{
			Name: "Create", Method: "POST", Path: "/v1/floor_maps", Request: "floor_map_create_request.json",
			Status: 201, Response: "floor_map.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMaps.Create(ctx, FloorMapRequest{
					Name: "my building", FloorMapGroupID: 5, FileExtension: FloorMapPNG, Picture: testFloorMapPicture,
				})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testFloorMap, v) },
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/floor_maps/1", Request: "floor_map_update_request.json",
			Response: "floor_map.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMaps.Update(ctx, 1, FloorMapUpdate{
					Name: "my building", FloorMapGroupID: 5, FileExtension: FloorMapPNG, Picture: testFloorMapPicture,
				})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testFloorMap, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/floor_maps/1", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				resp, err := c.FloorMaps.Delete(ctx, 1)
				return resp, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, 204, v.(*Response).StatusCode) },
		},
	})
}

func TestFloorMapsErrors(t *testing.T) {
	const notFound = `{
  "error": "Floor map does not exist",
  "error_code": "floor_map_does_not_exist"
}`
	const badExtension = `{
  "error": "The extension of the picture is invalid",
  "error_code": "invalid_picture_extension"
}`
	checkNotFound := havrError(404, "floor_map_does_not_exist", "Floor map does not exist")
	checkExtension := havrError(400, "invalid_picture_extension", "The extension of the picture is invalid")
	// The server may refuse an extension the client accepts (e.g. a picture
	// whose content is not what it claims), so the 400 is still reachable.
	create := func(ctx context.Context, c *Client) error {
		_, _, err := c.FloorMaps.Create(ctx, FloorMapRequest{Name: "my building", FloorMapGroupID: 5, FileExtension: FloorMapPNG, Picture: testFloorMapPicture})
		return err
	}
	update := func(ctx context.Context, c *Client) error {
		_, _, err := c.FloorMaps.Update(ctx, 1, FloorMapUpdate{Name: "my building", FloorMapGroupID: 5, FileExtension: FloorMapPNG, Picture: testFloorMapPicture})
		return err
	}
	harness.RunErrors(t, []errorCase{
		{Name: "Get: does not exist", Status: 404, Body: notFound, Sentinel: access.ErrNotFound, Check: checkNotFound,
			Call: func(ctx context.Context, c *Client) error { _, _, err := c.FloorMaps.Get(ctx, 1); return err }},
		{Name: "GetWithFile: does not exist", Status: 404, Body: notFound, Sentinel: access.ErrNotFound, Check: checkNotFound,
			Call: func(ctx context.Context, c *Client) error { _, _, err := c.FloorMaps.GetWithFile(ctx, 1); return err }},
		{Name: "Create: invalid extension", Status: 400, Body: badExtension, Sentinel: access.ErrInvalid, Check: checkExtension, Call: create},
		{Name: "Update: does not exist", Status: 404, Body: notFound, Sentinel: access.ErrNotFound, Check: checkNotFound, Call: update},
		{Name: "Update: invalid extension", Status: 400, Body: badExtension, Sentinel: access.ErrInvalid, Check: checkExtension, Call: update},
		{Name: "Delete: does not exist", Status: 404, Body: notFound, Sentinel: access.ErrNotFound, Check: checkNotFound,
			Call: func(ctx context.Context, c *Client) error { _, err := c.FloorMaps.Delete(ctx, 1); return err }},
	})
}

func TestFloorMapsValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	valid := FloorMapRequest{Name: "my building", FloorMapGroupID: 5, FileExtension: FloorMapJPEG, Picture: testFloorMapPicture}
	for name, tc := range map[string]struct {
		mutate func(r *FloorMapRequest)
		field  string
	}{
		"no name":           {func(r *FloorMapRequest) { r.Name = "" }, "Name"},
		"no group":          {func(r *FloorMapRequest) { r.FloorMapGroupID = 0 }, "FloorMapGroupID"},
		"no extension":      {func(r *FloorMapRequest) { r.FileExtension = "" }, "FileExtension"},
		"unknown extension": {func(r *FloorMapRequest) { r.FileExtension = "gif" }, "FileExtension"},
		"upper case":        {func(r *FloorMapRequest) { r.FileExtension = "PNG" }, "FileExtension"},
		"no picture":        {func(r *FloorMapRequest) { r.Picture = nil }, "Picture"},
	} {
		req := valid
		tc.mutate(&req)
		_, _, err := c.FloorMaps.Create(ctx, req)
		var inv *access.InvalidError
		require.ErrorAs(t, err, &inv, name)
		assert.Equal(t, tc.field, inv.Field, name)

		_, _, err = c.FloorMaps.Update(ctx, 1, FloorMapUpdate(req))
		require.ErrorAs(t, err, &inv, name)
		assert.Equal(t, tc.field, inv.Field, name)
	}
}
