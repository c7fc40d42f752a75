package havr

import (
	"context"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// UserGroupsService covers user groups: named sets of users, owned by the
// user who made them, for sharing keys with several people at once.
type UserGroupsService service

// UserGroup is a named set of users.
type UserGroup struct {
	ID          ID     `json:"id"`
	UserID      ID     `json:"user_id"`     // the owner
	Description string `json:"description"` // the group's name
	Members     []ID   `json:"members,omitempty"`
}

// List returns the user groups the current user owns.
//
// GET /v1/user_groups
func (s *UserGroupsService) List(ctx context.Context) ([]UserGroup, *Response, error) {
	return do[[]UserGroup](ctx, s.client.api, rest.Get("v1/user_groups"))
}

// Get returns a user group the current user owns.
//
// GET /v1/user_groups/:user_group_id
func (s *UserGroupsService) Get(ctx context.Context, userGroupID ID) (*UserGroup, *Response, error) {
	return do[*UserGroup](ctx, s.client.api, rest.Get("v1/user_groups/%v", userGroupID))
}

// UserGroupRequest creates a user group.
type UserGroupRequest struct {
	Description string `json:"description"`       // the group's name; required
	Members     []ID   `json:"members,omitempty"` // user ids
}

// Create creates a user group owned by the current user. The body is bare,
// as documented: {"description": ..., "members": [...]}.
//
// POST /v1/user_groups
func (s *UserGroupsService) Create(ctx context.Context, req UserGroupRequest) (*UserGroup, *Response, error) {
	if req.Description == "" {
		return nil, nil, access.Invalid("Description", "is required")
	}
	return do[*UserGroup](ctx, s.client.api, rest.Post("v1/user_groups").WithBody(req))
}

// UserGroupUpdate changes a user group; nil fields are left as they are.
// Members replaces the whole member list.
type UserGroupUpdate struct {
	Description *string `json:"description,omitempty"`
	Members     *[]ID   `json:"members,omitempty"`
}

// Update changes a user group. The body is bare, as documented.
//
// PATCH /v1/user_groups/:user_group_id
func (s *UserGroupsService) Update(ctx context.Context, userGroupID ID, req UserGroupUpdate) (*UserGroup, *Response, error) {
	if req.Description != nil && *req.Description == "" {
		return nil, nil, access.Invalid("Description", "cannot be emptied")
	}
	return do[*UserGroup](ctx, s.client.api, rest.Patch("v1/user_groups/%v", userGroupID).WithBody(req))
}

// UserGroupAddUsersRequest adds users to a group. The document marks both
// fields optional, but the call means nothing without them, so both are
// required here.
type UserGroupAddUsersRequest struct {
	GroupID ID   `json:"group_id"`
	Users   []ID `json:"users"`
}

// AddUsers adds users to a group the current user owns and returns the
// group. The body is bare, as documented. Adding a member twice is refused
// (user_already_in_group), so the call is not retried.
//
// POST /v1/user_groups/add_users_to_group
func (s *UserGroupsService) AddUsers(ctx context.Context, req UserGroupAddUsersRequest) (*UserGroup, *Response, error) {
	if req.GroupID == 0 {
		return nil, nil, access.Invalid("GroupID", "is required")
	}
	if len(req.Users) == 0 {
		return nil, nil, access.Invalid("Users", "needs at least one user id")
	}
	return do[*UserGroup](ctx, s.client.api, rest.Post("v1/user_groups/add_users_to_group").WithBody(req))
}
