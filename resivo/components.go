package resivo

import "context"

// ComponentsService covers components: what is installed at a door (an
// Access Manager, a Digital Cylinder, a c-lever). Display names are unique
// per site; ids can change on a site migration, so integrations keep names
// and resolve ids when they need them.
type ComponentsService service

// Component is a door's component. ID and DisplayName are CONFIRMED; Type
// and Status are INFERRED from the glossary and empty when resivo does not
// send them.
type Component struct {
	ID          string          `json:"id"`
	DisplayName string          `json:"displayName"`
	Type        ComponentType   `json:"type,omitempty"`
	Status      ComponentStatus `json:"status,omitempty"`
}

// ComponentListOptions are the query of the components list.
type ComponentListOptions struct {
	// Scope is "all" (ScopeAll) for every component of the site, as the
	// public client asks; List sends ScopeAll when options are nil.
	Scope string `url:"scope,omitempty"`
}

// ScopeAll lists every component of a site.
const ScopeAll = "all"

// List returns the components of a site: a bare JSON array.
//
// GET /:siteId/components?scope=all
func (s *ComponentsService) List(ctx context.Context, siteID string, opts *ComponentListOptions) ([]Component, *Response, error) {
	if err := checkID("siteID", siteID); err != nil {
		return nil, nil, err
	}
	var query any = opts
	if opts == nil || *opts == (ComponentListOptions{Scope: ScopeAll}) {
		query = "scope=" + ScopeAll // the usual call, encoded once
	}
	return do[[]Component](ctx, s.client.api, s.client.call(routeComponents, siteID).WithQuery(query))
}
