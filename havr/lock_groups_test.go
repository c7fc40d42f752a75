package havr

import (
	"context"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testLockGroup is the document's LockGroup object.
var testLockGroup = LockGroup{ID: 34, UserID: 6, Description: "a group", SubGroups: []ID{}, LockGroupID: 12,
	LockGroupType: LockGroupPersonal, Icon: "icon_code", AddressStreet: "99, rue de Rivoli", AddressCity: "Paris",
	AddressCountry: "France", ZipCode: "75000"}

// testLockGroupInfo is the document's answer of lock_group_info.
var testLockGroupInfo = LockGroupInfo{
	LockGroup: LockGroup{ID: 34, Description: "lock_group_description", UserID: 6, LockGroupID: 12, Icon: "default",
		AddressStreet: "99, rue de Rivoli", AddressCity: "Paris", AddressCountry: "France", ZipCode: "75000"},
	ParentLockGroup: &LockGroup{ID: 12, Description: "parent_group_description", UserID: 6},
}

func TestLockGroupsEndpoints(t *testing.T) {
	listInfo := testLockGroupInfo
	listInfo.ParentLockGroup = &LockGroup{ID: 12, Description: "parent_group_description", UserID: 6, Icon: "default"}
	fromToken := testLockGroupInfo
	fromToken.LockGroupType = LockGroupPersonal
	fromToken.Locks = []ID{23, 46}
	fromToken.ParentLockGroup = &LockGroup{ID: 12, Description: "parent_group_description", UserID: 6,
		LockGroupType: LockGroupPersonal, Icon: "default"}
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/lock_groups", Response: "lock_group_list_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.LockGroups.List(ctx); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, []LockGroup{testLockGroup}, v) },
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/lock_groups/34", Response: "lock_group_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockGroups.Get(ctx, 34)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testLockGroup, v) },
		},
		{
			Name: "GetInfo", Method: "GET", Path: "/v1/lock_groups/lock_group_info/34", Response: "lock_group_info_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockGroups.GetInfo(ctx, 34)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testLockGroupInfo, v) },
		},
		{
			Name: "ListInfo", Method: "POST", Path: "/v1/lock_groups/lock_groups_info",
			Request: "lock_group_lock_groups_info_request.json", Response: "lock_group_lock_groups_info_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockGroups.ListInfo(ctx, []ID{1, 2, 3})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []LockGroupInfo{listInfo}, v) },
		},
		{
			Name: "GetInfoFromToken", Method: "POST", Path: "/v1/lock_groups/lock_group_info_from_token",
			Request: "lock_group_info_from_token_request.json", Response: "lock_group_info_from_token_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockGroups.GetInfoFromToken(ctx, LockGroupTokenRequest{Token: "token", LockGroupID: 34})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &fromToken, v) },
		},
		{
			Name: "Create", Method: "POST", Path: "/v1/lock_groups", Request: "lock_group_create_request.json",
			Status: 201, Response: "lock_group_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockGroups.Create(ctx, LockGroupRequest{Description: "new group", Icon: "default",
					SubGroups: []ID{}, LockGroupID: 12, AddressStreet: "99, rue de Rivoli", AddressCity: "Paris",
					AddressCountry: "France", ZipCode: "75000"})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testLockGroup, v) },
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/lock_groups/34", Request: "lock_group_update_request.json",
			Response: "lock_group_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockGroups.Update(ctx, 34, LockGroupUpdate{Description: Ptr("update group"), Icon: Ptr("default"),
					SubGroups: Ptr([]ID{}), LockGroupID: Ptr(ID(12)), AddressStreet: Ptr("99, rue de Rivoli"),
					AddressCity: Ptr("Paris"), AddressCountry: Ptr("France"), ZipCode: Ptr("75000")})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testLockGroup, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/lock_groups/34", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) { return c.LockGroups.Delete(ctx, 34) },
		},
		// Not documented operations: request shapes worth pinning.
		{
			Name: "Create without sub groups", Method: "POST", Path: "/v1/lock_groups",
			Request: `{"lock_group": {"description": "new group"}}`, Status: 201, Response: "lock_group_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockGroups.Create(ctx, LockGroupRequest{Description: "new group"})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testLockGroup, v) },
		},
		{
			Name: "Update emptying sub groups", Method: "PATCH", Path: "/v1/lock_groups/34",
			Request: `{"lock_group": {"sub_groups": []}}`, Response: "lock_group_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.LockGroups.Update(ctx, 34, LockGroupUpdate{SubGroups: Ptr([]ID(nil))})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testLockGroup, v) },
		},
	})
}

func TestLockGroupsErrors(t *testing.T) {
	get := func(ctx context.Context, c *Client) error { _, _, err := c.LockGroups.Get(ctx, 34); return err }
	info := func(ctx context.Context, c *Client) error { _, _, err := c.LockGroups.GetInfo(ctx, 34); return err }
	fromToken := func(ctx context.Context, c *Client) error {
		_, _, err := c.LockGroups.GetInfoFromToken(ctx, LockGroupTokenRequest{Token: "token", LockGroupID: 34})
		return err
	}
	create := func(ctx context.Context, c *Client) error {
		_, _, err := c.LockGroups.Create(ctx, LockGroupRequest{Description: "new group", LockGroupID: 12})
		return err
	}
	update := func(ctx context.Context, c *Client) error {
		_, _, err := c.LockGroups.Update(ctx, 34, LockGroupUpdate{LockGroupID: Ptr(ID(12))})
		return err
	}
	del := func(ctx context.Context, c *Client) error { _, err := c.LockGroups.Delete(ctx, 34); return err }
	const (
		youMustBeOwner = `{"error": "Lock group not found or you must be the owner", "error_code": "lock_group_not_found_or_must_be_the_owner"}`
		mustBeOwner    = `{"error": "Lock group not found or must be the owner", "error_code": "lock_group_not_found_or_must_be_the_owner"}`
		mustHaveAccess = `{"error": "Lock group not found or you must have access", "error_code": "lock_group_not_found_or_must_have_access"}`
	)
	ownerErr := func(status int, msg string) func(*testing.T, error) {
		return havrError(status, "lock_group_not_found_or_must_be_the_owner", msg)
	}
	accessErr := havrError(404, "lock_group_not_found_or_must_have_access", "Lock group not found or you must have access")
	harness.RunErrors(t, []errorCase{
		{Name: "Get: not found", Status: 404, Body: youMustBeOwner, Sentinel: access.ErrNotFound, Call: get,
			Check: ownerErr(404, "Lock group not found or you must be the owner")},
		{Name: "GetInfo: not found", Status: 404, Body: mustHaveAccess, Sentinel: access.ErrNotFound, Call: info, Check: accessErr},
		{Name: "GetInfoFromToken: not found or bad token", Status: 404, Body: mustHaveAccess, Sentinel: access.ErrNotFound,
			Call: fromToken, Check: accessErr},
		// Sent as 400; the code says not found.
		{Name: "Create: parent not found", Status: 400, Body: mustBeOwner, Sentinel: access.ErrNotFound, Call: create,
			Check: ownerErr(400, "Lock group not found or must be the owner")},
		{Name: "Update: not found", Status: 400, Body: mustBeOwner, Sentinel: access.ErrNotFound, Call: update,
			Check: ownerErr(400, "Lock group not found or must be the owner")},
		{Name: "Delete: not found", Status: 404, Body: mustBeOwner, Sentinel: access.ErrNotFound, Call: del,
			Check: ownerErr(404, "Lock group not found or must be the owner")},
		// No code rule covers lock_group_is_not_empty: the 403 gives
		// ErrForbidden (ErrConflict would describe it better).
		{Name: "Delete: not empty", Status: 403, Body: `{"error": "Lock group is not empty", "error_code": "lock_group_is_not_empty"}`,
			Sentinel: access.ErrConflict, Call: del, Check: havrError(403, "lock_group_is_not_empty", "Lock group is not empty")},
	})
}

func TestLockGroupsValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	errs := map[string]error{}
	_, _, errs["ListInfo none"] = c.LockGroups.ListInfo(ctx, nil)
	_, _, errs["GetInfoFromToken no token"] = c.LockGroups.GetInfoFromToken(ctx, LockGroupTokenRequest{LockGroupID: 34})
	_, _, errs["GetInfoFromToken no group"] = c.LockGroups.GetInfoFromToken(ctx, LockGroupTokenRequest{Token: "t"})
	_, _, errs["Create no description"] = c.LockGroups.Create(ctx, LockGroupRequest{Icon: "default"})
	_, _, errs["Update empty description"] = c.LockGroups.Update(ctx, 34, LockGroupUpdate{Description: Ptr("")})
	for name, err := range errs {
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
}
