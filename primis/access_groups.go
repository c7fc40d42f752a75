package primis

import (
	"context"

	"github.com/doorkit/doorkit/internal/rest"
)

// AccessGroupsService lists access groups: the groups of users that access
// rights are given to.
type AccessGroupsService service

// AccessGroup is a group of users with access rights.
type AccessGroup struct {
	ID          ID     `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	SiteID      string `json:"site_id"`
}

// List returns the access groups of the user.
//
// GET /api/mobile/access_groups
func (s *AccessGroupsService) List(ctx context.Context) ([]AccessGroup, *Response, error) {
	return do[[]AccessGroup](ctx, s.client.api, rest.Get("api/mobile/access_groups"))
}

// AdminList returns the access groups, for a Primis administrator.
//
// GET /api/mobile/:phoneId/access_groups
func (s *AccessGroupsService) AdminList(ctx context.Context) ([]AccessGroup, *Response, error) {
	return do[[]AccessGroup](ctx, s.client.api, rest.Get("api/mobile/%v/access_groups", s.client.phoneID))
}
