package havr

import (
	"context"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// LockGroupsService covers lock groups: named sets of door locks, with
// sub-groups and an address.
type LockGroupsService service

// LockGroup is a group of door locks.
type LockGroup struct {
	ID             ID            `json:"id"`
	UserID         ID            `json:"user_id"` // the owner
	Description    string        `json:"description"`
	SubGroups      []ID          `json:"sub_groups,omitempty"`
	LockGroupID    ID            `json:"lock_group_id,omitempty"` // the parent group
	LockGroupType  LockGroupType `json:"lock_group_type"`
	Icon           string        `json:"icon,omitempty"`
	AddressStreet  string        `json:"address_street,omitempty"`
	AddressCity    string        `json:"address_city,omitempty"`
	AddressCountry string        `json:"address_country,omitempty"`
	ZipCode        string        `json:"zip_code,omitempty"`
}

// LockGroupType is personal (the default) or business.
type LockGroupType string

// Lock group types.
const (
	LockGroupPersonal LockGroupType = "personal"
	LockGroupBusiness LockGroupType = "business"
)

// LockGroupInfo is what a user with access to a lock group, not
// necessarily its owner, may see of it.
type LockGroupInfo struct {
	LockGroup
	// Locks are the group's door lock ids; only the answer of
	// GetInfoFromToken is documented with them.
	Locks []ID `json:"locks,omitempty"`
	// ParentLockGroup is the parent group, nil when the answer has none.
	ParentLockGroup *LockGroup `json:"parent_lock_group,omitempty"`
}

// List returns the lock groups the current user owns.
//
// GET /v1/lock_groups
func (s *LockGroupsService) List(ctx context.Context) ([]LockGroup, *Response, error) {
	return do[[]LockGroup](ctx, s.client.api, rest.Get("v1/lock_groups"))
}

// Get returns a lock group the current user owns.
//
// GET /v1/lock_groups/:lock_group_id
func (s *LockGroupsService) Get(ctx context.Context, lockGroupID ID) (*LockGroup, *Response, error) {
	return do[*LockGroup](ctx, s.client.api, rest.Get("v1/lock_groups/%v", lockGroupID))
}

// GetInfo returns a lock group the current user has access to without
// owning it, with its parent group.
//
// GET /v1/lock_groups/lock_group_info/:lock_group_id
func (s *LockGroupsService) GetInfo(ctx context.Context, lockGroupID ID) (*LockGroupInfo, *Response, error) {
	return do[*LockGroupInfo](ctx, s.client.api, rest.Get("v1/lock_groups/lock_group_info/%v", lockGroupID))
}

// ListInfo returns lock groups the current user has access to without
// owning them, with their parent groups.
//
// POST /v1/lock_groups/lock_groups_info
func (s *LockGroupsService) ListInfo(ctx context.Context, lockGroupIDs []ID) ([]LockGroupInfo, *Response, error) {
	if len(lockGroupIDs) == 0 {
		return nil, nil, access.Invalid("LockGroupIDs", "at least one id is required")
	}
	body := wrap("lock_group", map[string][]ID{"ids": lockGroupIDs})
	return do[[]LockGroupInfo](ctx, s.client.api, rest.Post("v1/lock_groups/lock_groups_info").WithBody(body).Idempotent())
}

// LockGroupTokenRequest names a lock group and the token of a link to it.
type LockGroupTokenRequest struct {
	Token       access.Secret `json:"token"` // the token received in the link
	LockGroupID ID            `json:"lock_group_id"`
}

// GetInfoFromToken returns a lock group, its door lock ids and its parent
// group, given the token of a link to it. The document spells the path with
// a trailing slash; it is sent without one, as the operation list has it.
//
// POST /v1/lock_groups/lock_group_info_from_token
func (s *LockGroupsService) GetInfoFromToken(ctx context.Context, req LockGroupTokenRequest) (*LockGroupInfo, *Response, error) {
	if req.Token == "" {
		return nil, nil, access.Invalid("Token", "is required")
	}
	if req.LockGroupID <= 0 {
		return nil, nil, access.Invalid("LockGroupID", "is required")
	}
	return do[*LockGroupInfo](ctx, s.client.api,
		rest.Post("v1/lock_groups/lock_group_info_from_token").WithBody(wrap("lock_group", req)).Idempotent())
}

// LockGroupRequest creates a lock group. Only Description is required.
type LockGroupRequest struct {
	Description string `json:"description"`
	Icon        string `json:"icon,omitempty"` // the server's default is "default"
	// SubGroups are the ids of the groups it contains: nil sends nothing,
	// an empty non-nil slice sends [].
	SubGroups      []ID   `json:"sub_groups,omitzero"`
	LockGroupID    ID     `json:"lock_group_id,omitempty"` // the parent group, if any
	AddressStreet  string `json:"address_street,omitempty"`
	AddressCity    string `json:"address_city,omitempty"`
	AddressCountry string `json:"address_country,omitempty"`
	ZipCode        string `json:"zip_code,omitempty"`
}

// Create creates a lock group owned by the current user.
//
// POST /v1/lock_groups
func (s *LockGroupsService) Create(ctx context.Context, req LockGroupRequest) (*LockGroup, *Response, error) {
	if req.Description == "" {
		return nil, nil, access.Invalid("Description", "is required")
	}
	return do[*LockGroup](ctx, s.client.api, rest.Post("v1/lock_groups").WithBody(wrap("lock_group", req)))
}

// LockGroupUpdate changes a lock group; nil fields are left as they are.
type LockGroupUpdate struct {
	Description    *string `json:"description,omitempty"`
	Icon           *string `json:"icon,omitempty"`
	SubGroups      *[]ID   `json:"sub_groups,omitempty"` // Ptr([]ID{}) empties the list
	LockGroupID    *ID     `json:"lock_group_id,omitempty"`
	AddressStreet  *string `json:"address_street,omitempty"`
	AddressCity    *string `json:"address_city,omitempty"`
	AddressCountry *string `json:"address_country,omitempty"`
	ZipCode        *string `json:"zip_code,omitempty"`
}

// Update changes a lock group the current user owns.
//
// PATCH /v1/lock_groups/:lock_group_id
func (s *LockGroupsService) Update(ctx context.Context, lockGroupID ID, req LockGroupUpdate) (*LockGroup, *Response, error) {
	if req.Description != nil && *req.Description == "" {
		return nil, nil, access.Invalid("Description", "cannot be empty")
	}
	if req.SubGroups != nil && *req.SubGroups == nil {
		// A pointer to a nil slice would send null; the document knows
		// only lists.
		req.SubGroups = &[]ID{}
	}
	return do[*LockGroup](ctx, s.client.api, rest.Patch("v1/lock_groups/%v", lockGroupID).WithBody(wrap("lock_group", req)))
}

// Delete deletes an empty lock group the current user owns.
//
// DELETE /v1/lock_groups/:lock_group_id
func (s *LockGroupsService) Delete(ctx context.Context, lockGroupID ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/lock_groups/%v", lockGroupID))
}
