package havr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The document's Shared Key object, and the objects composed with it in the
// detailed answers (testdata/havr/shared_key_*_response.json).
var (
	testSharedKey = SharedKey{
		ID: 20, UserID: 6, DoorLockID: 9,
		StartDate: At(time.Date(2017, 4, 1, 12, 30, 0, 0, time.UTC)),
		EndDate:   At(time.Date(2017, 4, 1, 13, 0, 0, 0, time.UTC)),
		Admin:     false, ExistingStatus: StatusActive, LockUserNumber: "lock_user_number",
		OriginUserID: 8, LastKTokenID: "last_k_token_id",
	}
	testSharedKeyDoorLock = DoorLock{
		ID: 4, LockSerialNumber: "lock_serial_number", Description: "description of lock", UserID: 6,
		LisaToken: "AbZ123", ExistingStatus: StatusActive, SecondaryType: SecondaryMain, NbUsers: 3,
		ConfirmationLevel: ConfirmAdmin, LockGroupID: 34, BatteryLevel: 80, LastKTokenID: "last_k_token_id",
		Mode: ModeNormal,
	}
	testSharedKeyLockGroup = LockGroup{
		ID: 34, UserID: 6, Description: "a group", SubGroups: []ID{}, LockGroupID: 2,
		LockGroupType: LockGroupPersonal, Icon: "icon_code", AddressStreet: "99, rue de Rivoli",
		AddressCity: "Paris", AddressCountry: "France", ZipCode: "75000",
	}
	testSharedKeyTempUser = TempUser{ID: 3, Email: "visitor@example.com"}
)

func testSharedKeyDetails() SharedKeyDetails {
	user, temp := testUser, testSharedKeyTempUser
	return SharedKeyDetails{
		SharedKey: testSharedKey, User: &user, TempUser: &temp,
		DoorLock: &SharedKeyDoorLock{DoorLock: testSharedKeyDoorLock, User: &user},
	}
}

func testSharedKeyIndexDetails() SharedKeyIndexDetails {
	d := testSharedKeyDetails()
	parent := testSharedKeyLockGroup
	parent.ID, parent.LockGroupID = 2, 0
	d.DoorLock.LockGroup = &SharedKeyLockGroup{LockGroup: testSharedKeyLockGroup, ParentLockGroup: &parent}
	origin := testUser
	return SharedKeyIndexDetails{SharedKeyDetails: d, OriginUser: &origin}
}

func TestSharedKeysEndpoints(t *testing.T) {
	// A zone other than UTC and milliseconds: Havr must get UTC without
	// milliseconds, as in the document's examples.
	paris := time.FixedZone("CEST", 2*60*60)
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/shared_keys", Response: "shared_key_list_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.SharedKeys.List(ctx); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, []SharedKey{testSharedKey}, v) },
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/shared_keys/20", Response: "shared_key_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.Get(ctx, 20)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testSharedKey, v) },
		},
		{
			Name: "GetFromToken", Method: "POST", Path: "/v1/shared_keys/show_from_token",
			Request: "shared_key_show_from_token_request.json", Response: "shared_key_show_from_token_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.GetFromToken(ctx, "token")
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &SharedKeyFromToken{SharedKeyDetails: testSharedKeyDetails(), Device: 12}, v)
			},
		},
		{
			Name: "GetWithDetails", Method: "GET", Path: "/v1/shared_keys/show_with_details/20",
			Response: "shared_key_show_with_details_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.GetWithDetails(ctx, 20)
				return v, err
			},
			Check: func(t *testing.T, v any) { want := testSharedKeyDetails(); assert.Equal(t, &want, v) },
		},
		{
			Name: "ListWithDetails", Method: "GET", Path: "/v1/shared_keys/index_with_details",
			Response: "shared_key_index_with_details_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.ListWithDetails(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, []SharedKeyIndexDetails{testSharedKeyIndexDetails()}, v)
			},
		},
		{
			Name: "ListWithDetailsForDoorLock", Method: "POST", Path: "/v1/shared_keys/index_with_details",
			Request: "shared_key_index_with_details_request.json", Response: "shared_key_index_with_details_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.ListWithDetailsForDoorLock(ctx, 9)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, []SharedKeyIndexDetails{testSharedKeyIndexDetails()}, v)
			},
		},
		{
			Name: "ListForUser", Method: "POST", Path: "/v1/shared_keys/shared_keys_for_user",
			Request: "shared_key_for_user_request.json", Response: "shared_key_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.ListForUser(ctx, 9)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []SharedKey{testSharedKey}, v) },
		},
		{
			Name: "ListWithDoorLocksForUser", Method: "POST", Path: "/v1/shared_keys/detail_shared_keys_for_user",
			Request: "shared_key_for_user_request.json", Response: "shared_key_detail_for_user_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.ListWithDoorLocksForUser(ctx, 9)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				lock := testSharedKeyDoorLock
				assert.Equal(t, []SharedKeyWithDoorLock{{SharedKey: testSharedKey, DoorLock: &lock}}, v)
			},
		},
		{
			Name: "ListForDoorLock", Method: "POST", Path: "/v1/shared_keys/shared_keys_for_door_lock",
			Request: "shared_key_for_door_lock_request.json", Response: "shared_key_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.ListForDoorLock(ctx, 9)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []SharedKey{testSharedKey}, v) },
		},
		{
			Name: "ListWithUsersForDoorLock", Method: "POST", Path: "/v1/shared_keys/detail_shared_keys_for_door_lock",
			Request: "shared_key_for_door_lock_request.json", Response: "shared_key_detail_for_door_lock_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.ListWithUsersForDoorLock(ctx, 9)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				user, temp := testUser, testSharedKeyTempUser
				assert.Equal(t, []SharedKeyWithUser{{SharedKey: testSharedKey, User: &user, TempUser: &temp}}, v)
			},
		},
		{
			// The document's example has a "day" recurrency over a month,
			// which Havr refuses; the request file uses "month".
			Name: "Create", Method: "POST", Path: "/v1/shared_keys", Status: 201,
			Request: "shared_key_create_request.json", Response: "shared_key_create_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.Create(ctx, SharedKeyRequest{
					StartDate:    At(time.Date(2017, 4, 1, 14, 30, 0, 123e6, paris)),
					EndDate:      At(time.Date(2017, 5, 1, 14, 30, 0, 0, paris)),
					Recurrency:   RecurrencyMonth,
					LockGroupIDs: []ID{34, 35},
					UserListIDs:  []ID{6, 7},
					LockListIDs:  []ID{4, 9},
					UserGroupIDs: []ID{11, 12},
				})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, []SharedKeyDetails{testSharedKeyDetails()}, v) },
		},
		{
			Name: "CreateWithLink", Method: "POST", Path: "/v1/shared_keys/create_with_link", Status: 201,
			Request: "shared_key_create_with_link_request.json", Response: "shared_key_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{
					StartDate:   At(time.Date(2017, 4, 1, 14, 30, 0, 999e6, paris)),
					EndDate:     At(time.Date(2017, 4, 1, 16, 30, 0, 0, time.UTC)),
					Email:       "visitor@example.com",
					Emails:      []string{"foo@example.com", "bar@example.com"},
					LockListIDs: []ID{9},
					Recurrency:  RecurrencyDay,
				})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testSharedKey, v) },
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/shared_keys/20",
			Request: "shared_key_update_request.json", Response: "shared_key_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.Update(ctx, 20, SharedKeyUpdate{Admin: Ptr(true)})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testSharedKey, v) },
		},
		{
			// Documented as answering 200 or 201.
			Name: "CreateOrUpdate", Method: "POST", Path: "/v1/shared_keys/create_or_update", Status: 201,
			Request: "shared_key_create_or_update_request.json", Response: "shared_key_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.CreateOrUpdate(ctx, SharedKeyCreateOrUpdateRequest{
					UserID: 2, DoorLockID: 1, Admin: true,
					StartDate: At(time.Date(2017, 4, 1, 12, 0, 0, 0, time.UTC)),
					EndDate:   At(time.Date(2017, 5, 1, 14, 0, 0, 0, time.UTC)),
				})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testSharedKey, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/shared_keys/20", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				resp, err := c.SharedKeys.Delete(ctx, 20)
				return resp, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, 204, v.(*Response).StatusCode) },
		},
		{
			Name: "DeleteMultiple", Method: "POST", Path: "/v1/shared_keys/delete_multiple_shared_keys", Status: 204,
			Request: "shared_key_delete_multiple_request.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				resp, err := c.SharedKeys.DeleteMultiple(ctx, []ID{20, 21, 22})
				return resp, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, 204, v.(*Response).StatusCode) },
		},
		{
			Name: "Dismiss", Method: "POST", Path: "/v1/shared_keys/dismiss", Request: "shared_key_dismiss_request.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				resp, err := c.SharedKeys.Dismiss(ctx, 20)
				return resp, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, 200, v.(*Response).StatusCode) },
		},
		{
			Name: "GetKToken", Method: "POST", Path: "/v1/shared_keys/get_k_token",
			Request: "shared_key_get_k_token_request.json", Response: "shared_key_get_k_token_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.GetKToken(ctx, SharedKeyKTokenRequest{SharedKeyID: 20, PKey: "p_key"})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &KToken{KToken: "encrypted_k_token", LastKTokenID: "last_k_token_id"}, v)
				assert.NotContains(t, fmt.Sprintf("%v %+v", v, v), "encrypted_k_token", "K token printed")
			},
		},
		{
			Name: "GetKTokens", Method: "POST", Path: "/v1/shared_keys/get_k_tokens",
			Request: "shared_key_get_k_tokens_request.json", Response: "shared_key_get_k_tokens_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.GetKTokens(ctx, []ID{20, 21})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				tok := KToken{KToken: "k_token", LastKTokenID: "last_k_token_id"}
				assert.Equal(t, KTokens{20: tok, 21: tok}, v)
			},
		},
		{
			Name: "GetKTokenFromToken", Method: "POST", Path: "/v1/shared_keys/get_k_token_from_token",
			Request: "shared_key_get_k_token_from_token_request.json", Response: "shared_key_get_k_token_from_token_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.GetKTokenFromToken(ctx, SharedKeyLinkKTokenRequest{Token: "token", PKey: "p_key"})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &KToken{KToken: "k_token", LastKTokenID: "last_k_token_id"}, v)
			},
		},
		{
			Name: "AnswerPending", Method: "POST", Path: "/v1/shared_keys/answer_pending_shared_key",
			Request: "shared_key_answer_pending_request.json", Response: "shared_key_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SharedKeys.AnswerPending(ctx, 20, true)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testSharedKey, v) },
		},
	})
}

// Error bodies of the shared key operations, verbatim from the document.
const (
	testSharedKeyErrCantAccessKey = `{
  "error": "Can't access another one's shared key",
  "error_code": "cant_access_another_ones_shared_key"
}`
	testSharedKeyErrKeyNotExist = `{
  "error": "Shared key does not exist",
  "error_code": "shared_key_does_not_exist"
}`
	testSharedKeyErrCantAccessLock = `{
  "error": "Can't access another one's lock",
  "error_code": "cant_access_another_ones_door_lock"
}`
	testSharedKeyErrLockNotExist = `{
  "error": "Door lock does not exist",
  "error_code": "door_lock_does_not_exist"
}`
	testSharedKeyErrUserNotExist = `{
  "error": "User does not exist",
  "error_code": "user_does_not_exist"
}`
	testSharedKeyErrExpired = `{
  "error": "Shared key has expired",
  "details": "temp_access_expired",
  "error_code": "shared_key_has_expired"
}`
	testSharedKeyErrOneAccess = `{
  "error": "Shared key has expired",
  "details": "limited_to_one_access",
  "error_code": "shared_key_has_expired"
}`
	testSharedKeyErrWeekRecurrency = `{
  "error": "Week recurrency cannot be applied to a multiple week period",
  "error_code": "week_recurrency_cannot_be_applied_to_multiple_week_period"
}`
)

// testSharedKeyErrorDetails is havrError that also checks "details".
func testSharedKeyErrorDetails(status int, code, message, details string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		havrError(status, code, message)(t, err)
		var herr *Error
		require.True(t, errors.As(err, &herr))
		assert.Equal(t, details, herr.Details)
	}
}

func TestSharedKeysErrors(t *testing.T) {
	get := func(ctx context.Context, c *Client) error { _, _, err := c.SharedKeys.Get(ctx, 20); return err }
	fromToken := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.GetFromToken(ctx, "token")
		return err
	}
	withDetails := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.GetWithDetails(ctx, 20)
		return err
	}
	index := func(ctx context.Context, c *Client) error { _, _, err := c.SharedKeys.ListWithDetails(ctx); return err }
	indexForLock := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.ListWithDetailsForDoorLock(ctx, 9)
		return err
	}
	forUser := func(ctx context.Context, c *Client) error { _, _, err := c.SharedKeys.ListForUser(ctx, 9); return err }
	detailForUser := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.ListWithDoorLocksForUser(ctx, 9)
		return err
	}
	forLock := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.ListForDoorLock(ctx, 9)
		return err
	}
	detailForLock := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.ListWithUsersForDoorLock(ctx, 9)
		return err
	}
	create := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.Create(ctx, SharedKeyRequest{UserListIDs: []ID{6}, LockListIDs: []ID{9}})
		return err
	}
	withLink := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{Email: "visitor@example.com", LockListIDs: []ID{9}})
		return err
	}
	update := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.Update(ctx, 20, SharedKeyUpdate{Admin: Ptr(true)})
		return err
	}
	del := func(ctx context.Context, c *Client) error { _, err := c.SharedKeys.Delete(ctx, 20); return err }
	delMultiple := func(ctx context.Context, c *Client) error {
		_, err := c.SharedKeys.DeleteMultiple(ctx, []ID{20, 21})
		return err
	}
	dismiss := func(ctx context.Context, c *Client) error { _, err := c.SharedKeys.Dismiss(ctx, 20); return err }
	kToken := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.GetKToken(ctx, SharedKeyKTokenRequest{SharedKeyID: 20, PKey: "p_key"})
		return err
	}
	kTokens := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.GetKTokens(ctx, []ID{20, 21})
		return err
	}
	kTokenFromToken := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.GetKTokenFromToken(ctx, SharedKeyLinkKTokenRequest{Token: "token", PKey: "p_key"})
		return err
	}
	answer := func(ctx context.Context, c *Client) error {
		_, _, err := c.SharedKeys.AnswerPending(ctx, 20, true)
		return err
	}

	cantAccessKey := havrError(403, "cant_access_another_ones_shared_key", "Can't access another one's shared key")
	keyNotExist := havrError(404, "shared_key_does_not_exist", "Shared key does not exist")
	cantAccessLock := havrError(403, "cant_access_another_ones_door_lock", "Can't access another one's lock")
	lockNotExist := havrError(404, "door_lock_does_not_exist", "Door lock does not exist")
	userNotExist := havrError(404, "user_does_not_exist", "User does not exist")
	expired := testSharedKeyErrorDetails(403, "shared_key_has_expired", "Shared key has expired", "temp_access_expired")
	oneAccess := testSharedKeyErrorDetails(403, "shared_key_has_expired", "Shared key has expired", "limited_to_one_access")
	weekRecurrency := havrError(403, "week_recurrency_cannot_be_applied_to_multiple_week_period",
		"Week recurrency cannot be applied to a multiple week period")

	harness.RunErrors(t, []errorCase{
		{Name: "Get: another one's", Status: 403, Body: testSharedKeyErrCantAccessKey, Sentinel: access.ErrForbidden, Call: get, Check: cantAccessKey},
		{Name: "Get: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: get, Check: keyNotExist},

		{Name: "GetFromToken: another one's", Status: 403, Body: testSharedKeyErrCantAccessKey, Sentinel: access.ErrForbidden, Call: fromToken, Check: cantAccessKey},
		{Name: "GetFromToken: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: fromToken, Check: keyNotExist},
		{Name: "GetFromToken: expired", Status: 403, Body: testSharedKeyErrExpired, Sentinel: access.ErrForbidden, Call: fromToken, Check: expired},
		{Name: "GetFromToken: limited to one access", Status: 403, Body: testSharedKeyErrOneAccess, Sentinel: access.ErrForbidden, Call: fromToken, Check: oneAccess},
		{Name: "GetFromToken: one access without account", Status: 403, Body: `{
"error": "You can only retrieve one access without having an account",
"error_code": "can_only_retrieve_one_access_without_account", 
"details": "limited_to_one_access"
}`, Sentinel: access.ErrForbidden, Call: fromToken, Check: testSharedKeyErrorDetails(403, "can_only_retrieve_one_access_without_account",
			"You can only retrieve one access without having an account", "limited_to_one_access")},

		{Name: "GetWithDetails: another one's", Status: 403, Body: testSharedKeyErrCantAccessKey, Sentinel: access.ErrForbidden, Call: withDetails, Check: cantAccessKey},
		{Name: "GetWithDetails: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: withDetails, Check: keyNotExist},

		{Name: "ListWithDetails: another one's lock", Status: 403, Body: testSharedKeyErrCantAccessLock, Sentinel: access.ErrForbidden, Call: index, Check: cantAccessLock},

		{Name: "ListWithDetailsForDoorLock: another one's lock", Status: 403, Body: testSharedKeyErrCantAccessLock, Sentinel: access.ErrForbidden, Call: indexForLock, Check: cantAccessLock},
		{Name: "ListWithDetailsForDoorLock: lock does not exist", Status: 404, Body: testSharedKeyErrLockNotExist, Sentinel: access.ErrNotFound, Call: indexForLock, Check: lockNotExist},

		{Name: "ListForUser: user does not exist", Status: 404, Body: testSharedKeyErrUserNotExist, Sentinel: access.ErrNotFound, Call: forUser, Check: userNotExist},
		{Name: "ListWithDoorLocksForUser: user does not exist", Status: 404, Body: testSharedKeyErrUserNotExist, Sentinel: access.ErrNotFound, Call: detailForUser, Check: userNotExist},

		{Name: "ListForDoorLock: another one's lock", Status: 403, Body: testSharedKeyErrCantAccessLock, Sentinel: access.ErrForbidden, Call: forLock, Check: cantAccessLock},
		{Name: "ListForDoorLock: lock does not exist", Status: 404, Body: testSharedKeyErrLockNotExist, Sentinel: access.ErrNotFound, Call: forLock, Check: lockNotExist},
		{Name: "ListWithUsersForDoorLock: another one's lock", Status: 403, Body: testSharedKeyErrCantAccessLock, Sentinel: access.ErrForbidden, Call: detailForLock, Check: cantAccessLock},
		{Name: "ListWithUsersForDoorLock: lock does not exist", Status: 404, Body: testSharedKeyErrLockNotExist, Sentinel: access.ErrNotFound, Call: detailForLock, Check: lockNotExist},

		{Name: "Create: no user", Status: 400, Body: `{
  "error": "Must be shared with a user group or a user list",
  "error_code": "must_be_shared_with_user_group_or_user_list"
}`, Sentinel: access.ErrInvalid, Call: create,
			Check: havrError(400, "must_be_shared_with_user_group_or_user_list", "Must be shared with a user group or a user list")},
		{Name: "Create: no lock", Status: 400, Body: `{
  "error": "Must be shared with a lock group or a lock list",
  "error_code": "must_be_shared_with_lock_group_or_door_lock_list"
}`, Sentinel: access.ErrInvalid, Call: create,
			Check: havrError(400, "must_be_shared_with_lock_group_or_door_lock_list", "Must be shared with a lock group or a lock list")},
		{Name: "Create: user group not found", Status: 404, Body: `{
  "error": "User group not found or you must be the owner",
  "error_code": "user_group_not_found_or_must_be_the_owner"
}`, Sentinel: access.ErrNotFound, Call: create,
			Check: havrError(404, "user_group_not_found_or_must_be_the_owner", "User group not found or you must be the owner")},
		{Name: "Create: lock group not found", Status: 404, Body: `{
  "error": "Lock group not found or must be the owner",
  "error_code": "lock_group_not_found_or_must_be_the_owner"
}`, Sentinel: access.ErrNotFound, Call: create,
			Check: havrError(404, "lock_group_not_found_or_must_be_the_owner", "Lock group not found or must be the owner")},
		{Name: "Create: another one's lock", Status: 403, Body: testSharedKeyErrCantAccessLock, Sentinel: access.ErrForbidden, Call: create, Check: cantAccessLock},
		{Name: "Create: user does not exist", Status: 404, Body: testSharedKeyErrUserNotExist, Sentinel: access.ErrNotFound, Call: create, Check: userNotExist},
		{Name: "Create: lock does not exist", Status: 404, Body: testSharedKeyErrLockNotExist, Sentinel: access.ErrNotFound, Call: create, Check: lockNotExist},
		// user_admin_of_lock is a conflict: the user already holds the lock as admin.
		{Name: "Create: user is admin", Status: 400, Body: `{
  "error": "User is admin of door lock",
  "error_code": "user_admin_of_lock"
}`, Sentinel: access.ErrConflict, Call: create, Check: havrError(400, "user_admin_of_lock", "User is admin of door lock")},
		// Documented as 403 "forbiden"; the code makes it ErrInvalid.
		{Name: "Create: recurrency", Status: 403, Body: testSharedKeyErrWeekRecurrency, Sentinel: access.ErrInvalid, Call: create, Check: weekRecurrency},

		{Name: "CreateWithLink: another one's lock", Status: 403, Body: testSharedKeyErrCantAccessLock, Sentinel: access.ErrForbidden, Call: withLink, Check: cantAccessLock},
		{Name: "CreateWithLink: lock does not exist", Status: 404, Body: testSharedKeyErrLockNotExist, Sentinel: access.ErrNotFound, Call: withLink, Check: lockNotExist},
		{Name: "CreateWithLink: recurrency", Status: 403, Body: testSharedKeyErrWeekRecurrency, Sentinel: access.ErrInvalid, Call: withLink, Check: weekRecurrency},
		{Name: "CreateWithLink: lock not in group", Status: 400, Body: `{
  "error": "Door lock does not belong to the lock group",
  "error_code": "door_lock_does_not_belong_to_lock_group"
}`, Sentinel: access.ErrInvalid, Call: withLink,
			Check: havrError(400, "door_lock_does_not_belong_to_lock_group", "Door lock does not belong to the lock group")},
		{Name: "CreateWithLink: no lock", Status: 400, Body: `{
  "error": "Must be shared with a lock group or a door lock list",
  "error_code": "must_be_shared_with_lock_group_or_door_lock_list"
}`, Sentinel: access.ErrInvalid, Call: withLink,
			Check: havrError(400, "must_be_shared_with_lock_group_or_door_lock_list", "Must be shared with a lock group or a door lock list")},
		{Name: "CreateWithLink: date format", Status: 400, Body: `{
  "error": "Invalid date format: should be UTC: ISO8601",
  "error_code": "invalid_date_format"
}`, Sentinel: access.ErrInvalid, Call: withLink,
			Check: havrError(400, "invalid_date_format", "Invalid date format: should be UTC: ISO8601")},

		{Name: "Update: another one's lock", Status: 403, Body: testSharedKeyErrCantAccessLock, Sentinel: access.ErrForbidden, Call: update, Check: cantAccessLock},
		{Name: "Update: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: update, Check: keyNotExist},
		{Name: "Update: recurrency", Status: 403, Body: `{
  "error": "Year recurrency cannot be applied to a multiple years period",
  "error_code": "year_recurrency_cannot_be_applied_to_multiple_years_period"
}`, Sentinel: access.ErrInvalid, Call: update, Check: havrError(403, "year_recurrency_cannot_be_applied_to_multiple_years_period",
			"Year recurrency cannot be applied to a multiple years period")},

		{Name: "Delete: another one's lock", Status: 403, Body: testSharedKeyErrCantAccessLock, Sentinel: access.ErrForbidden, Call: del, Check: cantAccessLock},
		{Name: "Delete: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: del, Check: keyNotExist},
		{Name: "DeleteMultiple: another one's lock", Status: 403, Body: testSharedKeyErrCantAccessLock, Sentinel: access.ErrForbidden, Call: delMultiple, Check: cantAccessLock},
		{Name: "DeleteMultiple: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: delMultiple, Check: keyNotExist},

		{Name: "Dismiss: another one's", Status: 403, Body: testSharedKeyErrCantAccessKey, Sentinel: access.ErrForbidden, Call: dismiss, Check: cantAccessKey},
		{Name: "Dismiss: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: dismiss, Check: keyNotExist},

		{Name: "GetKToken: another one's", Status: 403, Body: testSharedKeyErrCantAccessKey, Sentinel: access.ErrForbidden, Call: kToken, Check: cantAccessKey},
		{Name: "GetKToken: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: kToken, Check: keyNotExist},
		// A failure on Havr's side answered 400: ErrInvalid by status.
		{Name: "GetKToken: not generated", Status: 400, Body: `{
  "error": "Error generating k token",
  "error_code": "generating_k_token"
}`, Sentinel: access.ErrInvalid, Call: kToken, Check: havrError(400, "generating_k_token", "Error generating k token")},
		{Name: "GetKTokens: another one's", Status: 403, Body: testSharedKeyErrCantAccessKey, Sentinel: access.ErrForbidden, Call: kTokens, Check: cantAccessKey},
		{Name: "GetKTokens: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: kTokens, Check: keyNotExist},
		{Name: "GetKTokenFromToken: another one's", Status: 403, Body: testSharedKeyErrCantAccessKey, Sentinel: access.ErrForbidden, Call: kTokenFromToken, Check: cantAccessKey},
		{Name: "GetKTokenFromToken: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: kTokenFromToken, Check: keyNotExist},
		{Name: "GetKTokenFromToken: expired", Status: 403, Body: testSharedKeyErrExpired, Sentinel: access.ErrForbidden, Call: kTokenFromToken, Check: expired},
		{Name: "GetKTokenFromToken: limited to one access", Status: 403, Body: testSharedKeyErrOneAccess, Sentinel: access.ErrForbidden, Call: kTokenFromToken, Check: oneAccess},

		{Name: "AnswerPending: another one's lock", Status: 403, Body: testSharedKeyErrCantAccessLock, Sentinel: access.ErrForbidden, Call: answer, Check: cantAccessLock},
		{Name: "AnswerPending: does not exist", Status: 404, Body: testSharedKeyErrKeyNotExist, Sentinel: access.ErrNotFound, Call: answer, Check: keyNotExist},
		// Documented as 404; the code ("pending") makes it ErrConflict, which
		// says better that the key exists but was already answered.
		{Name: "AnswerPending: not pending", Status: 404, Body: `{
  "error": "Shared key is not pending",
  "error_code": "cant_answer_not_pending_shared_key"
}`, Sentinel: access.ErrConflict, Call: answer, Check: havrError(404, "cant_answer_not_pending_shared_key", "Shared key is not pending")},
	})
}

func TestSharedKeysValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	start := At(time.Date(2017, 4, 1, 12, 30, 0, 0, time.UTC))
	hours := func(n int) Time { return At(start.Add(time.Duration(n) * time.Hour)) }

	for name, req := range map[string]SharedKeyRequest{
		"no user":          {LockListIDs: []ID{9}},
		"no lock":          {UserListIDs: []ID{6}},
		"zero user id":     {UserListIDs: []ID{6, 0}, LockListIDs: []ID{9}},
		"zero lock group":  {UserGroupIDs: []ID{1}, LockGroupIDs: []ID{0}},
		"end before start": {UserListIDs: []ID{6}, LockListIDs: []ID{9}, StartDate: start, EndDate: hours(-1)},
		"end at start":     {UserListIDs: []ID{6}, LockListIDs: []ID{9}, StartDate: start, EndDate: start},
		"unknown recurrency": {UserListIDs: []ID{6}, LockListIDs: []ID{9}, StartDate: start, EndDate: hours(1),
			Recurrency: "fortnight"},
		"recurrency without end": {UserListIDs: []ID{6}, LockListIDs: []ID{9}, StartDate: start, Recurrency: RecurrencyWeek},
		// The document's own example: a daily access over a month.
		"day recurrency over a month": {UserListIDs: []ID{6}, LockListIDs: []ID{9}, StartDate: start,
			EndDate: At(time.Date(2017, 5, 1, 12, 30, 0, 0, time.UTC)), Recurrency: RecurrencyDay},
	} {
		_, _, err := c.SharedKeys.Create(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}

	for name, req := range map[string]SharedKeyLinkRequest{
		"no email":         {LockListIDs: []ID{9}},
		"bad email":        {Email: "visitor", LockListIDs: []ID{9}},
		"bad emails entry": {Emails: []string{"a@example.com", ""}, LockListIDs: []ID{9}},
		"no lock":          {Email: "visitor@example.com"},
		"zero lock id":     {Email: "visitor@example.com", LockListIDs: []ID{0}},
		"end before start": {Email: "visitor@example.com", LockListIDs: []ID{9}, StartDate: start, EndDate: hours(-2)},
		"week recurrency over two weeks": {Email: "visitor@example.com", LockGroupIDs: []ID{34}, StartDate: start,
			EndDate: hours(14 * 24), Recurrency: RecurrencyWeek},
	} {
		_, _, err := c.SharedKeys.CreateWithLink(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}

	for name, req := range map[string]SharedKeyUpdate{
		"unknown recurrency":      {Recurrency: Ptr(Recurrency("hourly"))},
		"end before start":        {StartDate: Ptr(start), EndDate: Ptr(hours(-1))},
		"day recurrency over two": {StartDate: Ptr(start), EndDate: Ptr(hours(48)), Recurrency: Ptr(RecurrencyDay)},
	} {
		_, _, err := c.SharedKeys.Update(ctx, 20, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}

	for name, req := range map[string]SharedKeyCreateOrUpdateRequest{
		"no user":          {DoorLockID: 1},
		"no door lock":     {UserID: 2},
		"end before start": {UserID: 2, DoorLockID: 1, StartDate: start, EndDate: hours(-1)},
	} {
		_, _, err := c.SharedKeys.CreateOrUpdate(ctx, req)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}

	_, err := c.SharedKeys.DeleteMultiple(ctx, nil)
	require.ErrorIs(t, err, access.ErrInvalid)
	_, err = c.SharedKeys.DeleteMultiple(ctx, []ID{20, -1})
	require.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = c.SharedKeys.GetFromToken(ctx, "")
	require.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = c.SharedKeys.GetKToken(ctx, SharedKeyKTokenRequest{SharedKeyID: 20, PKey: ""})
	require.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = c.SharedKeys.GetKTokens(ctx, nil)
	require.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = c.SharedKeys.GetKTokenFromToken(ctx, SharedKeyLinkKTokenRequest{Token: "", PKey: "p_key"})
	require.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = c.SharedKeys.GetKTokenFromToken(ctx, SharedKeyLinkKTokenRequest{Token: "token", PKey: ""})
	require.ErrorIs(t, err, access.ErrInvalid)
}

// Calls that create keys or reset K tokens are sent once; the POSTs that
// only read are retried like GETs.
func TestSharedKeysRetryClass(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		call  func(c *Client) error
		sends int32
	}{
		"Create": {sends: 1, call: func(c *Client) error {
			_, _, err := c.SharedKeys.Create(ctx, SharedKeyRequest{UserListIDs: []ID{6}, LockListIDs: []ID{9}})
			return err
		}},
		"CreateWithLink": {sends: 1, call: func(c *Client) error {
			_, _, err := c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{Email: "v@example.com", LockListIDs: []ID{9}})
			return err
		}},
		"GetKToken": {sends: 1, call: func(c *Client) error {
			_, _, err := c.SharedKeys.GetKToken(ctx, SharedKeyKTokenRequest{SharedKeyID: 20, PKey: "p"})
			return err
		}},
		"DeleteMultiple": {sends: 1, call: func(c *Client) error {
			_, err := c.SharedKeys.DeleteMultiple(ctx, []ID{20})
			return err
		}},
		"ListWithDetailsForDoorLock": {sends: 3, call: func(c *Client) error {
			_, _, err := c.SharedKeys.ListWithDetailsForDoorLock(ctx, 9)
			return err
		}},
		"Delete": {sends: 3, call: func(c *Client) error { _, err := c.SharedKeys.Delete(ctx, 20); return err }},
	} {
		t.Run(name, func(t *testing.T) {
			var n atomic.Int32
			rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
				n.Add(1)
				return &http.Response{StatusCode: http.StatusBadGateway, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
			})
			c := newTestClient(t, rt, WithRetry(2, time.Millisecond, time.Millisecond))
			require.ErrorIs(t, tc.call(c), access.ErrUnavailable)
			assert.Equal(t, tc.sends, n.Load())
		})
	}
}
