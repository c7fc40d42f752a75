package havr

import (
	"context"
	"math"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testFloorMapPosition = FloorMapPosition{ID: 1, FloorMapID: 1, DoorLockID: 2, X: 0, Y: 100}

func TestFloorMapPositionsEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/floor_map_positions", Response: "floor_map_position_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapPositions.List(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []FloorMapPosition{testFloorMapPosition}, v) },
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/floor_map_positions/1", Response: "floor_map_position.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapPositions.Get(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testFloorMapPosition, v) },
		},
		{
			Name: "Create", Method: "POST", Path: "/v1/floor_map_positions", Request: "floor_map_position_create_request.json",
			Status: 201, Response: "floor_map_position.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapPositions.Create(ctx, FloorMapPositionRequest{FloorMapID: 1, DoorLockID: 2, X: 0, Y: 100})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testFloorMapPosition, v) },
		},
		{
			Name: "BulkCreate", Method: "POST", Path: "/v1/floor_map_positions/bulk_create",
			Request: "floor_map_position_bulk_create_request.json", Status: 201, Response: "floor_map_position_bulk_create_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapPositions.BulkCreate(ctx, []FloorMapPositionRequest{
					{FloorMapID: 1, DoorLockID: 2, X: 0, Y: 100},
					{FloorMapID: 1, DoorLockID: 3, X: 50, Y: 50},
				})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, []FloorMapPosition{testFloorMapPosition, {ID: 2, FloorMapID: 1, DoorLockID: 3, X: 50, Y: 50}}, v)
			},
		},
		{
			// X is 0 and still sent: the update's pointers tell "move to 0"
			// from "leave as is".
			Name: "Update", Method: "PATCH", Path: "/v1/floor_map_positions/1", Request: "floor_map_position_update_request.json",
			Response: "floor_map_position.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapPositions.Update(ctx, 1, FloorMapPositionUpdate{
					FloorMapID: Ptr[ID](1), DoorLockID: Ptr[ID](2), X: Ptr(0.0), Y: Ptr(100.0),
				})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testFloorMapPosition, v) },
		},
		{
			Name: "Update only y", Method: "PATCH", Path: "/v1/floor_map_positions/1",
			Request: `{"floor_map_position": {"y": 100}}`, Response: "floor_map_position.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.FloorMapPositions.Update(ctx, 1, FloorMapPositionUpdate{Y: Ptr(100.0)})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testFloorMapPosition, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/floor_map_positions/1", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				resp, err := c.FloorMapPositions.Delete(ctx, 1)
				return resp, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, 204, v.(*Response).StatusCode) },
		},
	})
}

func TestFloorMapPositionsErrors(t *testing.T) {
	const notOwned = `{
  "error": "FloorMapPosition does not exist or must be the owner",
  "error_code": "floor_map_position_does_not_exist_or_must_be_the_owner"
}`
	// The code matches no rule of codeSentinel, so the status decides. The
	// document gives 404 for Get only; Update and Delete document the same
	// body without a status, and are tested with Get's 404.
	check := havrError(404, "floor_map_position_does_not_exist_or_must_be_the_owner", "FloorMapPosition does not exist or must be the owner")
	harness.RunErrors(t, []errorCase{
		{Name: "Get: does not exist or not the owner", Status: 404, Body: notOwned, Sentinel: access.ErrNotFound, Check: check,
			Call: func(ctx context.Context, c *Client) error { _, _, err := c.FloorMapPositions.Get(ctx, 1); return err }},
		{Name: "Update: does not exist or not the owner", Status: 404, Body: notOwned, Sentinel: access.ErrNotFound, Check: check,
			Call: func(ctx context.Context, c *Client) error {
				_, _, err := c.FloorMapPositions.Update(ctx, 1, FloorMapPositionUpdate{X: Ptr(50.0)})
				return err
			}},
		{Name: "Delete: does not exist or not the owner", Status: 404, Body: notOwned, Sentinel: access.ErrNotFound, Check: check,
			Call: func(ctx context.Context, c *Client) error { _, err := c.FloorMapPositions.Delete(ctx, 1); return err }},
	})
}

func TestFloorMapPositionsValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	valid := FloorMapPositionRequest{FloorMapID: 1, DoorLockID: 2, X: 0, Y: 100}
	for name, tc := range map[string]struct {
		req   FloorMapPositionRequest
		field string
	}{
		"no floor map": {FloorMapPositionRequest{DoorLockID: 2, X: 1, Y: 1}, "FloorMapID"},
		"no door lock": {FloorMapPositionRequest{FloorMapID: 1, X: 1, Y: 1}, "DoorLockID"},
		"negative x":   {FloorMapPositionRequest{FloorMapID: 1, DoorLockID: 2, X: -1, Y: 1}, "X"},
		"y over 100":   {FloorMapPositionRequest{FloorMapID: 1, DoorLockID: 2, X: 1, Y: 100.5}, "Y"},
		"NaN x":        {FloorMapPositionRequest{FloorMapID: 1, DoorLockID: 2, X: math.NaN(), Y: 1}, "X"},
		"infinite y":   {FloorMapPositionRequest{FloorMapID: 1, DoorLockID: 2, X: 1, Y: math.Inf(1)}, "Y"},
	} {
		_, _, err := c.FloorMapPositions.Create(ctx, tc.req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
		var inv *access.InvalidError
		require.ErrorAs(t, err, &inv, name)
		assert.Equal(t, tc.field, inv.Field, name)

		_, _, err = c.FloorMapPositions.BulkCreate(ctx, []FloorMapPositionRequest{valid, tc.req})
		require.ErrorAs(t, err, &inv, name)
		assert.Equal(t, "Positions[1]."+tc.field, inv.Field, name)
	}

	_, _, err := c.FloorMapPositions.BulkCreate(ctx, nil)
	require.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = c.FloorMapPositions.BulkCreate(ctx, []FloorMapPositionRequest{})
	require.ErrorIs(t, err, access.ErrInvalid)

	for name, u := range map[string]FloorMapPositionUpdate{
		"zero floor map": {FloorMapID: Ptr[ID](0)},
		"zero door lock": {DoorLockID: Ptr[ID](0)},
		"x over 100":     {X: Ptr(101.0)},
		"negative y":     {Y: Ptr(-0.1)},
	} {
		_, _, err := c.FloorMapPositions.Update(ctx, 1, u)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
}
