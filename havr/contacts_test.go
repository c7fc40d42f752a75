package havr

import (
	"context"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testContact = Contact{ID: 5, UserID: 6, UserContactID: 4, RequestStatus: RequestAccepted}

var testContactLastActivity = LockLog{ID: 1, UserID: 6, DoorLockID: 1, DeviceID: 2, DoorLockStatus: LockLocked,
	Alert: "security_alert", EventTimestamp: At(time.Date(2018, 10, 30, 8, 15, 54, 122e6, time.UTC)), LogType: "flash"}

func TestContactsEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/contacts", Response: "contact_list_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Contacts.List(ctx); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, []Contact{testContact}, v) },
		},
		{
			Name: "ListWithActivity", Method: "GET", Path: "/v1/contacts/index_with_activity",
			Response: "contact_list_with_activity_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Contacts.ListWithActivity(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, []ContactWithActivity{{Contact: testContact, LastActivity: &testContactLastActivity}}, v)
			},
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/contacts/5", Response: "contact_get_response.json",
			Call:  func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Contacts.Get(ctx, 5); return v, err },
			Check: func(t *testing.T, v any) { assert.Equal(t, &testContact, v) },
		},
		{
			Name: "GetByUser", Method: "POST", Path: "/v1/contacts/contact_from_user",
			Request: "contact_get_by_user_request.json", Response: "contact_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Contacts.GetByUser(ctx, "email_or_username")
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testContact, v) },
		},
		{
			Name: "Create", Method: "POST", Path: "/v1/contacts", Request: "contact_create_request.json",
			Status: 201, Response: "contact_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Contacts.Create(ctx, "email_or_username")
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testContact, v) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/contacts/5", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) { return c.Contacts.Delete(ctx, 5) },
			Check: func(t *testing.T, v any) {
				require.NotNil(t, v.(*Response))
				assert.Equal(t, 204, v.(*Response).StatusCode)
			},
		},
		{
			Name: "DeleteByUser", Method: "POST", Path: "/v1/contacts/delete_from_user",
			Request: "contact_delete_by_user_request.json", Status: 204,
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.DeleteByUser(ctx, ContactDeleteRequest{EmailOrUsername: "email_or_username", DeleteAccesses: true})
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, 204, v.(*Response).StatusCode) },
		},
		{
			Name: "DeleteMultiple", Method: "POST", Path: "/v1/contacts/delete_multiple_contacts",
			Request: "contact_delete_multiple_request.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Contacts.DeleteMultiple(ctx, ContactDeleteMultipleRequest{IDs: []ID{5, 7}, DeleteAccesses: true})
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, 200, v.(*Response).StatusCode) },
		},
	})
}

func TestContactsErrors(t *testing.T) {
	get := func(ctx context.Context, c *Client) error { _, _, err := c.Contacts.Get(ctx, 5); return err }
	byUser := func(ctx context.Context, c *Client) error {
		_, _, err := c.Contacts.GetByUser(ctx, "email_or_username")
		return err
	}
	create := func(ctx context.Context, c *Client) error { _, _, err := c.Contacts.Create(ctx, "grace"); return err }
	del := func(ctx context.Context, c *Client) error { _, err := c.Contacts.Delete(ctx, 5); return err }
	delByUser := func(ctx context.Context, c *Client) error {
		_, err := c.Contacts.DeleteByUser(ctx, ContactDeleteRequest{EmailOrUsername: "grace"})
		return err
	}
	delMultiple := func(ctx context.Context, c *Client) error {
		_, err := c.Contacts.DeleteMultiple(ctx, ContactDeleteMultipleRequest{IDs: []ID{5}})
		return err
	}
	harness.RunErrors(t, []errorCase{
		{Name: "Get: does not exist", Status: 404, Sentinel: access.ErrNotFound, Call: get,
			Body: `{
  "error": "Contact does not exist ",
  "error_code": "contact_does_not_exist"
}`, Check: havrError(404, "contact_does_not_exist", "Contact does not exist ")},
		{Name: "Get: another one's", Status: 403, Sentinel: access.ErrForbidden, Call: get,
			Body: `{
  "error": "Can't access anyone else's contact",
  "error_code":"cant_access_another_ones_contact"
}`, Check: havrError(403, "cant_access_another_ones_contact", "Can't access anyone else's contact")},
		{Name: "GetByUser: not a contact", Status: 404, Sentinel: access.ErrNotFound, Call: byUser,
			Body: `{
  "error": "No contacts found",
  "error_code": "no_contacts_found"
}`, Check: havrError(404, "no_contacts_found", "No contacts found")},
		{Name: "GetByUser: user does not exist", Status: 404, Sentinel: access.ErrNotFound, Call: byUser,
			Body: `{
  "error": "User does not exist"
}`, Check: havrError(404, "", "User does not exist")},
		// A user that does not exist is a 400 without a code here, hence
		// ErrInvalid (by status) rather than ErrNotFound.
		{Name: "Create: user does not exist", Status: 400, Sentinel: access.ErrInvalid, Call: create,
			Body: `{
  "error": "User %user_contact_email_or_username% does not exist"
}`, Check: havrError(400, "", "User %user_contact_email_or_username% does not exist")},
		{Name: "Create: self", Status: 400, Sentinel: access.ErrInvalid, Call: create,
			Body: `{
  "error": "Can't add yourself as contact",
  "error_code": "add_self_as_contact"
}`, Check: havrError(400, "add_self_as_contact", "Can't add yourself as contact")},
		// The two "already" codes come with 403; the code makes them
		// conflicts.
		{Name: "Create: already contacts", Status: 403, Sentinel: access.ErrConflict, Call: create,
			Body: `{
  "error": "These users are already contacts",
  "error_code": "users_already_contacts"
}`, Check: havrError(403, "users_already_contacts", "These users are already contacts")},
		{Name: "Create: already pending", Status: 403, Sentinel: access.ErrConflict, Call: create,
			Body: `{
  "error": "The contact request is already pending",
  "error_code": "contact_request_already_pending"
}`, Check: havrError(403, "contact_request_already_pending", "The contact request is already pending")},
		{Name: "Create: blocked", Status: 403, Sentinel: access.ErrForbidden, Call: create,
			Body: `{
  "error": "User %current_user.username% was blocked by %user_contact.username%"
}`, Check: havrError(403, "", "User %current_user.username% was blocked by %user_contact.username%")},
		{Name: "Delete: does not exist", Status: 404, Sentinel: access.ErrNotFound, Call: del,
			Body: `{
  "error": "Contact does not exist",
  "error_code": "contact_does_not_exist"
}`, Check: havrError(404, "contact_does_not_exist", "Contact does not exist")},
		{Name: "Delete: another one's", Status: 403, Sentinel: access.ErrForbidden, Call: del,
			Body: `{
  "error": "Can't access anyone else's contact",
  "error_code": "cant_access_another_ones_contact"
}`, Check: havrError(403, "cant_access_another_ones_contact", "Can't access anyone else's contact")},
		{Name: "DeleteByUser: not a contact", Status: 404, Sentinel: access.ErrNotFound, Call: delByUser,
			Body: `{
  "error": "No contacts found",
  "error_code": "no_contacts_found"
}`, Check: havrError(404, "no_contacts_found", "No contacts found")},
		{Name: "DeleteByUser: user does not exist", Status: 404, Sentinel: access.ErrNotFound, Call: delByUser,
			Body: `{
  "error": "User does not exist",
  "error_code": "contact_does_not_exist"
}`, Check: havrError(404, "contact_does_not_exist", "User does not exist")},
		{Name: "DeleteMultiple: does not exist", Status: 404, Sentinel: access.ErrNotFound, Call: delMultiple,
			Body: `{
  "error": "Contact does not exist",
  "error_code": "contact_does_not_exist"
}`, Check: havrError(404, "contact_does_not_exist", "Contact does not exist")},
		{Name: "DeleteMultiple: another one's", Status: 403, Sentinel: access.ErrForbidden, Call: delMultiple,
			Body: `{
  "error": "Can't access anyone else's contact",
  "error_code": "cant_access_another_ones_contact"
}`, Check: havrError(403, "cant_access_another_ones_contact", "Can't access anyone else's contact")},
	})
}

func TestContactsValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	_, _, err := c.Contacts.GetByUser(ctx, "")
	require.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = c.Contacts.Create(ctx, "")
	require.ErrorIs(t, err, access.ErrInvalid)
	_, err = c.Contacts.DeleteByUser(ctx, ContactDeleteRequest{DeleteAccesses: true})
	require.ErrorIs(t, err, access.ErrInvalid)
	_, err = c.Contacts.DeleteMultiple(ctx, ContactDeleteMultipleRequest{DeleteAccesses: true})
	require.ErrorIs(t, err, access.ErrInvalid)
}
