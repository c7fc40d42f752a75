package resivo

import "context"

// SitesService covers sites: in resivo a site is usually a building with
// apartments, owned by a Site Owner.
type SitesService service

// Site is a resivo site. DefaultLocale sets the language of the emails and
// SMS resivo sends visitors; it is set once in the resivo portal.
type Site struct {
	ID            string `json:"id,omitempty"`
	DisplayName   string `json:"displayName"`
	DefaultLocale string `json:"defaultLocale,omitempty"`
}

// Get returns a site.
//
// GET /v8/sites/:siteId
func (s *SitesService) Get(ctx context.Context, siteID string) (*Site, *Response, error) {
	if err := checkID("siteID", siteID); err != nil {
		return nil, nil, err
	}
	return do[*Site](ctx, s.client.api, s.client.call(routeSite, siteID))
}
