package havr

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testFloorMapGroup = FloorMapGroup{ID: 1, UserID: 6, Name: "my building"}

func TestFloorMapGroupsEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/floor_map_groups", Response: "floor_map_group_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapGroups.List(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []FloorMapGroup{testFloorMapGroup}, v) },
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/floor_map_groups/1", Response: "floor_map_group.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapGroups.Get(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testFloorMapGroup, v) },
		},
		{
			Name: "GetWithFloorMaps", Method: "GET", Path: "/v1/floor_map_groups/show_with_floor_maps",
			Response: "floor_map_group_show_with_floor_maps_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapGroups.GetWithFloorMaps(ctx, nil)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &FloorMapGroupWithFloorMaps{FloorMapGroup: testFloorMapGroup, FloorMaps: []FloorMap{testFloorMap}}, v)
			},
		},
		{
			Name: "GetWithFloorMaps with a group id", Method: "GET", Path: "/v1/floor_map_groups/show_with_floor_maps",
			Query: "floor_map_group_id=1", Response: "floor_map_group_show_with_floor_maps_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapGroups.GetWithFloorMaps(ctx, &FloorMapGroupShowOptions{FloorMapGroupID: 1})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &FloorMapGroupWithFloorMaps{FloorMapGroup: testFloorMapGroup, FloorMaps: []FloorMap{testFloorMap}}, v)
			},
		},
		{
			Name: "GetWithFloorMapFiles", Method: "GET", Path: "/v1/floor_map_groups/show_with_floor_maps_with_file",
			Query: "floor_map_group_id=1", Response: "floor_map_group_show_with_floor_maps_with_file_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapGroups.GetWithFloorMapFiles(ctx, &FloorMapGroupShowOptions{FloorMapGroupID: 1})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &FloorMapGroupWithFloorMapFiles{
					FloorMapGroup: testFloorMapGroup,
					FloorMaps:     []FloorMapWithFile{{FloorMap: testFloorMap, Picture: testFloorMapPicture}},
				}, v)
			},
		},
		{
			Name: "Create", Method: "POST", Path: "/v1/floor_map_groups", Request: "floor_map_group_create_request.json",
			Status: 201, Response: "floor_map_group.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapGroups.Create(ctx, FloorMapGroupRequest{Name: "my building"})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testFloorMapGroup, v) },
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/floor_map_groups/1", Request: "floor_map_group_update_request.json",
			Response: "floor_map_group.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapGroups.Update(ctx, 1, FloorMapGroupUpdate{Name: "my building"})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testFloorMapGroup, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/floor_map_groups/1", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				resp, err := c.FloorMapGroups.Delete(ctx, 1)
				return resp, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, 204, v.(*Response).StatusCode) },
		},
	})
}

// The document types "floor_map" as one floor map but says the group's
// floor maps are shown: a list must decode too, and no key means none.
func TestFloorMapGroupWithFloorMapsDecoding(t *testing.T) {
	second := FloorMap{ID: 2, FloorMapGroupID: 1, Name: "2nd floor", FileExtension: FloorMapJPG}
	for name, tc := range map[string]struct {
		body string
		want FloorMapGroupWithFloorMaps
	}{
		"list": {
			body: `{"id": 1, "user_id": 6, "name": "my building", "floor_map": [
				{"id": 1, "floor_map_group_id": 6, "name": "my building", "file_extension": "png",
				 "picture_url": "pictures/floor_map/eef477e129cbe2509d90c3aba4b5e808eef477e129cbe2509d90c3aba4b5e808.png"},
				{"id": 2, "floor_map_group_id": 1, "name": "2nd floor", "file_extension": "jpg"}]}`,
			want: FloorMapGroupWithFloorMaps{FloorMapGroup: testFloorMapGroup, FloorMaps: []FloorMap{testFloorMap, second}},
		},
		"empty list": {
			body: `{"id": 1, "user_id": 6, "name": "my building", "floor_map": []}`,
			want: FloorMapGroupWithFloorMaps{FloorMapGroup: testFloorMapGroup, FloorMaps: []FloorMap{}},
		},
		"null": {
			body: `{"id": 1, "user_id": 6, "name": "my building", "floor_map": null}`,
			want: FloorMapGroupWithFloorMaps{FloorMapGroup: testFloorMapGroup},
		},
		"absent": {
			body: `{"id": 1, "user_id": 6, "name": "my building"}`,
			want: FloorMapGroupWithFloorMaps{FloorMapGroup: testFloorMapGroup},
		},
	} {
		var got FloorMapGroupWithFloorMaps
		require.NoError(t, json.Unmarshal([]byte(tc.body), &got), name)
		assert.Equal(t, tc.want, got, name)
	}

	var files FloorMapGroupWithFloorMapFiles
	require.NoError(t, json.Unmarshal([]byte(`{"id": 1, "user_id": 6, "name": "my building",
		"floor_map": [{"id": 2, "floor_map_group_id": 1, "name": "2nd floor", "file_extension": "jpg", "base64_picture": "4RiDRXhpZgAATU0AKgA="}]}`), &files))
	assert.Equal(t, FloorMapGroupWithFloorMapFiles{
		FloorMapGroup: testFloorMapGroup,
		FloorMaps:     []FloorMapWithFile{{FloorMap: second, Picture: testFloorMapPicture}},
	}, files)

	for _, bad := range []string{`{"id": 1, "floor_map": "x"}`, `{"id": 1, "floor_map": [1]}`, `{"id": "one"}`, `[]`} {
		var got FloorMapGroupWithFloorMaps
		assert.Error(t, json.Unmarshal([]byte(bad), &got), bad)
		var gotFiles FloorMapGroupWithFloorMapFiles
		assert.Error(t, json.Unmarshal([]byte(bad), &gotFiles), bad)
	}
}

func TestFloorMapGroupsErrors(t *testing.T) {
	const notFound = `{
  "error": "Floor map group does not exist",
  "error_code": "floor_map_group_does_not_exist"
}`
	check := havrError(404, "floor_map_group_does_not_exist", "Floor map group does not exist")
	harness.RunErrors(t, []errorCase{
		{Name: "Get: does not exist", Status: 404, Body: notFound, Sentinel: access.ErrNotFound, Check: check,
			Call: func(ctx context.Context, c *Client) error { _, _, err := c.FloorMapGroups.Get(ctx, 1); return err }},
		{Name: "GetWithFloorMaps: does not exist", Status: 404, Body: notFound, Sentinel: access.ErrNotFound, Check: check,
			Call: func(ctx context.Context, c *Client) error {
				_, _, err := c.FloorMapGroups.GetWithFloorMaps(ctx, nil)
				return err
			}},
		{Name: "GetWithFloorMapFiles: does not exist", Status: 404, Body: notFound, Sentinel: access.ErrNotFound, Check: check,
			Call: func(ctx context.Context, c *Client) error {
				_, _, err := c.FloorMapGroups.GetWithFloorMapFiles(ctx, nil)
				return err
			}},
		{Name: "Update: does not exist", Status: 404, Body: notFound, Sentinel: access.ErrNotFound, Check: check,
			Call: func(ctx context.Context, c *Client) error {
				_, _, err := c.FloorMapGroups.Update(ctx, 1, FloorMapGroupUpdate{Name: "my building"})
				return err
			}},
		{Name: "Delete: does not exist", Status: 404, Body: notFound, Sentinel: access.ErrNotFound, Check: check,
			Call: func(ctx context.Context, c *Client) error { _, err := c.FloorMapGroups.Delete(ctx, 1); return err }},
	})
}

func TestFloorMapGroupsValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	_, _, err := c.FloorMapGroups.Create(ctx, FloorMapGroupRequest{})
	require.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = c.FloorMapGroups.Update(ctx, 1, FloorMapGroupUpdate{})
	require.ErrorIs(t, err, access.ErrInvalid)
}
