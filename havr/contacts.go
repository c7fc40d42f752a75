package havr

import (
	"context"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// ContactsService covers contacts: relations between users, made by a
// contact request that the other user accepts, declines or blocks.
type ContactsService service

// Contact is a contact relation. You are UserID if you sent the request,
// UserContactID otherwise.
type Contact struct {
	ID            ID            `json:"id"`
	UserID        ID            `json:"user_id"`
	UserContactID ID            `json:"user_contact_id"`
	RequestStatus RequestStatus `json:"request_status"`
}

// RequestStatus is the state of a contact request.
type RequestStatus string

// Request statuses.
const (
	RequestAccepted RequestStatus = "accepted"
	RequestPending  RequestStatus = "pending"
	RequestBlocked  RequestStatus = "blocked"
	RequestDeclined RequestStatus = "declined"
)

// ContactWithActivity is a contact and the other user's last lock log.
type ContactWithActivity struct {
	Contact
	// LastActivity is nil when the contact has no lock log yet.
	LastActivity *LockLog `json:"last_activity"`
}

// List returns the contact relations of the current user, whoever sent the
// request.
//
// GET /v1/contacts
func (s *ContactsService) List(ctx context.Context) ([]Contact, *Response, error) {
	return do[[]Contact](ctx, s.client.api, rest.Get("v1/contacts"))
}

// ListWithActivity returns the contact relations of the current user, each
// with the contact's last lock log.
//
// GET /v1/contacts/index_with_activity
func (s *ContactsService) ListWithActivity(ctx context.Context) ([]ContactWithActivity, *Response, error) {
	return do[[]ContactWithActivity](ctx, s.client.api, rest.Get("v1/contacts/index_with_activity"))
}

// Get returns a contact relation.
//
// GET /v1/contacts/:contact_id
func (s *ContactsService) Get(ctx context.Context, contactID ID) (*Contact, *Response, error) {
	return do[*Contact](ctx, s.client.api, rest.Get("v1/contacts/%v", contactID))
}

// contactUser names the other user of a relation.
type contactUser struct {
	EmailOrUsername string `json:"email_or_username"`
}

func validateContactUser(s string) error {
	if s == "" {
		return access.Invalid("EmailOrUsername", "is required")
	}
	return nil
}

// GetByUser returns the current user's contact relation with the user of
// that email or username. It only reads, hence the POST is retried like a
// GET.
//
// POST /v1/contacts/contact_from_user
func (s *ContactsService) GetByUser(ctx context.Context, emailOrUsername string) (*Contact, *Response, error) {
	if err := validateContactUser(emailOrUsername); err != nil {
		return nil, nil, err
	}
	body := wrap("contact", contactUser{EmailOrUsername: emailOrUsername})
	return do[*Contact](ctx, s.client.api, rest.Post("v1/contacts/contact_from_user").WithBody(body).Idempotent())
}

// Create sends a contact request to the user of that email or username: the
// relation starts pending. A relation the user declined becomes pending again
// and the request is sent anew.
//
// POST /v1/contacts
func (s *ContactsService) Create(ctx context.Context, emailOrUsername string) (*Contact, *Response, error) {
	if err := validateContactUser(emailOrUsername); err != nil {
		return nil, nil, err
	}
	body := wrap("contact", contactUser{EmailOrUsername: emailOrUsername})
	return do[*Contact](ctx, s.client.api, rest.Post("v1/contacts").WithBody(body))
}

// Delete deletes a contact relation.
//
// DELETE /v1/contacts/:contact_id
func (s *ContactsService) Delete(ctx context.Context, contactID ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/contacts/%v", contactID))
}

// ContactDeleteRequest removes the relation with a user.
type ContactDeleteRequest struct {
	EmailOrUsername string `json:"email_or_username"`
	// DeleteAccesses also deletes the keys the current user shared with
	// the contact.
	DeleteAccesses bool `json:"delete_accesses"`
}

// DeleteByUser deletes the current user's contact relation with the user of
// that email or username.
//
// POST /v1/contacts/delete_from_user
func (s *ContactsService) DeleteByUser(ctx context.Context, req ContactDeleteRequest) (*Response, error) {
	if err := validateContactUser(req.EmailOrUsername); err != nil {
		return nil, err
	}
	return send(ctx, s.client.api, rest.Post("v1/contacts/delete_from_user").WithBody(wrap("contact", req)))
}

// ContactDeleteMultipleRequest removes several contact relations.
type ContactDeleteMultipleRequest struct {
	IDs []ID `json:"ids"` // contact relation ids
	// DeleteAccesses also deletes the keys the current user shared with
	// those contacts.
	DeleteAccesses bool `json:"delete_accesses"`
}

// DeleteMultiple deletes several contact relations. The document answers
// 200 without a body. Its body key is the plural "contacts", unlike the
// other contact requests.
//
// POST /v1/contacts/delete_multiple_contacts
func (s *ContactsService) DeleteMultiple(ctx context.Context, req ContactDeleteMultipleRequest) (*Response, error) {
	if len(req.IDs) == 0 {
		return nil, access.Invalid("IDs", "at least one contact id is required")
	}
	return send(ctx, s.client.api, rest.Post("v1/contacts/delete_multiple_contacts").WithBody(wrap("contacts", req)))
}
