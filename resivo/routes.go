package resivo

import "github.com/doorkit/doorkit/internal/rest"

// DefaultAPIVersion is the version prefix of versioned routes. resivo
// versions its API by URL prefix (v4 to v8 released, v9 announced); change it
// with WithAPIVersion.
const DefaultAPIVersion = "v8"

// route is one endpoint. Versioned routes get the client's version prefix
// ("v8/sites/%v"); the site-scoped routes the public client calls have none
// ("%v/components"). Every path resivo publishes, confirmed or inferred, is
// here and nowhere else, so a correction is one line.
type route struct {
	method    string
	template  string // relative to the base URL (after the version prefix when versioned)
	versioned bool
	// inferred marks a route (or body) reasoned out rather than published;
	// see resivo-notes.md and the method's doc comment.
	inferred bool
}

var (
	// CONFIRMED by a public client: form-encoded client credentials.
	routeToken = route{method: "POST", template: "oauth2/token"}
	// Path CONFIRMED by the collection's own example; body and answer INFERRED.
	routeUserLogin = route{method: "POST", template: "users/login", versioned: true, inferred: true}
	// CONFIRMED.
	routeSite = route{method: "GET", template: "sites/%v", versioned: true}
	// CONFIRMED, no version prefix; query scope=all; a bare JSON array.
	routeComponents = route{method: "GET", template: "%v/components"}
	// CONFIRMED, no version prefix.
	routePINAccess = route{method: "POST", template: "%v/authorizations/pin-access"}
	// CONFIRMED, no version prefix.
	routeAuthorization = route{method: "GET", template: "%v/authorizations/%v"}
	// CONFIRMED, no version prefix; DELETE with the JSON body {}.
	routeRevoke = route{method: "DELETE", template: "%v/authorizations/%v/revoke"}
	// INFERRED by analogy with pin-access: path and body are not published.
	routeRemoteAccess = route{method: "POST", template: "%v/authorizations/remote-access", inferred: true}
)

// call returns the rest.Call of r on c, filled with params.
func (c *Client) call(r route, params ...any) *rest.Call {
	template := r.template
	if r.versioned {
		template = c.version + "/" + template
	}
	return rest.NewCall(r.method, template, params...)
}
