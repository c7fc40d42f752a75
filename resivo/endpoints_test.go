package resivo

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	testFrom = time.Date(2030, 6, 1, 9, 0, 0, 0, time.FixedZone("CEST", 2*3600)) // 07:00Z
	testTo   = testFrom.Add(2 * time.Hour)
)

func TestEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "Auth.Login", Method: "POST", Path: "/v8/users/login",
			Request: "login_request.json", Response: "login_response.json",
			Headers: map[string]string{"Authorization": ""}, // the login itself is not authorised
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Auth.Login(ctx, LoginRequest{Email: "ada@example.com", Password: "Correct-Horse-9"})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				r := v.(*LoginResponse)
				assert.Equal(t, "eyJhbGciOiJSUzI1NiJ9.user", r.AccessToken.Reveal())
				assert.Equal(t, "r3fr3sh-t0k3n", r.RefreshToken.Reveal())
			},
		},
		{
			Name: "Sites.Get", Method: "GET", Path: "/v8/sites/site-1", Response: "site_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Sites.Get(ctx, testSite)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &Site{ID: "site-1", DisplayName: "Residence Amstelpark", DefaultLocale: "nl-NL"}, v)
			},
		},
		{
			Name: "Components.List", Method: "GET", Path: "/site-1/components", Query: "scope=all",
			Response: "components_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Components.List(ctx, testSite, nil)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, []Component{
					{ID: "c0a80101-0001", DisplayName: "Main entrance", Type: ComponentAccessManager, Status: ComponentOnline},
					{ID: "c0a80101-0002", DisplayName: "Digital cylinder – double", Type: ComponentDigitalCylinder, Status: ComponentOffline},
					{ID: "c0a80101-0003", DisplayName: "Bike shed"},
				}, v)
			},
		},
		{
			Name: "Authorizations.CreatePINAccess", Method: "POST", Path: "/site-1/authorizations/pin-access",
			Request: "pin_access_request.json", Response: "created_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, PINAccessRequest{
					DisplayName:          "BK-1042",
					PINCodes:             []PINCode{{PINCode: "482913", DisplayName: "Grace Hopper"}},
					ComponentIDs:         []string{"c0a80101-0001", "c0a80101-0002"},
					Restrictions:         Restrictions{ValidFrom: At(testFrom), ValidTo: At(testTo)},
					AccessRequestMessage: "Welcome to Residence Amstelpark",
				})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &CreatedAuthorization{ID: testAuthID}, v) },
		},
		{
			Name: "Authorizations.CreateRemoteAccess", Method: "POST", Path: "/site-1/authorizations/remote-access",
			Request: "remote_access_request.json", Response: "created_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Authorizations.CreateRemoteAccess(ctx, testSite, RemoteAccessRequest{
					DisplayName:  "BK-1042",
					ComponentIDs: []string{"c0a80101-0001"},
					Restrictions: Restrictions{ValidFrom: At(testFrom), ValidTo: At(testTo)},
					Recipients:   Recipients{Emails: []string{"grace@example.com"}, PhoneNumbers: []string{"+31612345678"}},
				})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &CreatedAuthorization{ID: testAuthID}, v) },
		},
		{
			Name: "Authorizations.Get", Method: "GET", Path: "/site-1/authorizations/" + testAuthID,
			Response: "authorization_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Authorizations.Get(ctx, testSite, testAuthID)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				want := &Authorization{
					ID: testAuthID, DisplayName: "BK-1042", Status: AuthorizationActive,
					ComponentIDs: []string{"c0a80101-0001"},
					Restrictions: &Restrictions{
						ValidFrom: At(time.Date(2030, 6, 1, 7, 0, 0, 0, time.UTC)),
						ValidTo:   At(time.Date(2030, 6, 1, 9, 0, 0, 123456000, time.UTC)),
					},
					Credentials: []Credential{{Status: CredentialActive}, {Status: CredentialPending}},
				}
				assert.Equal(t, want, v)
				assert.True(t, v.(*Authorization).Live())
			},
		},
		{
			Name: "Authorizations.Revoke", Method: "DELETE", Path: "/site-1/authorizations/" + testAuthID + "/revoke",
			Request: "revoke_request.json", Status: http.StatusNoContent,
			Call: func(ctx context.Context, c *Client) (any, error) {
				_, err := c.Authorizations.Revoke(ctx, testSite, testAuthID)
				return nil, err
			},
		},
	})
}

func TestErrors(t *testing.T) {
	get := func(ctx context.Context, c *Client) error {
		_, _, err := c.Authorizations.Get(ctx, testSite, testAuthID)
		return err
	}
	create := func(ctx context.Context, c *Client) error {
		_, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, PINAccessRequest{
			DisplayName: "x", PINCodes: []PINCode{{PINCode: "1234", DisplayName: "x"}}, ComponentIDs: []string{"c"},
			Restrictions: Restrictions{ValidFrom: At(testFrom), ValidTo: At(testTo)},
		})
		return err
	}
	harness.RunErrors(t, []errorCase{
		{Name: "401", Status: 401, Body: "error_unauthorized.json", Sentinel: access.ErrUnauthorized, Call: get,
			Check: resivoError(401, "", "Invalid or expired access token")},
		{Name: "403", Status: 403, Body: "error_forbidden.json", Sentinel: access.ErrForbidden, Call: get,
			Check: resivoError(403, "", "Insufficient permissions for site site-2")},
		{Name: "403 with a not-found code is still forbidden", Status: 403, Body: "error_not_found.json", Sentinel: access.ErrForbidden, Call: get,
			Check: resivoError(403, "NOT_FOUND", "Authorization not found")},
		{Name: "404", Status: 404, Body: "error_not_found.json", Sentinel: access.ErrNotFound, Call: get,
			Check: resivoError(404, "NOT_FOUND", "Authorization not found")},
		{Name: "400 with a numeric code", Status: 400, Body: "error_bad_request.json", Sentinel: access.ErrInvalid, Call: create,
			Check: resivoError(400, "400", "validTo must be after validFrom")},
		{Name: "409", Status: 409, Body: "error_conflict.json", Sentinel: access.ErrConflict, Call: create,
			Check: resivoError(409, "", "Authorization is not active")},
		{Name: "429", Status: 429, Body: "error_rate_limited.json", Sentinel: access.ErrRateLimited, Call: get,
			Check: resivoError(429, "", "Too many requests")},
		{Name: "503", Status: 503, Body: "error_internal.json", Sentinel: access.ErrUnavailable, Call: get,
			Check: resivoError(503, "", "Internal server error")},
		{Name: "OAuth error body", Status: 401, Body: "error_token_invalid_client.json", Sentinel: access.ErrUnauthorized, Call: get,
			Check: resivoError(401, "invalid_client", "Client authentication failed")},
		{Name: "no body", Status: 404, Body: "", Sentinel: access.ErrNotFound, Call: get,
			Check: func(t *testing.T, err error) {
				var rerr *Error
				require.ErrorAs(t, err, &rerr)
				assert.Equal(t, "Not Found", rerr.Message)
				assert.Equal(t, "/site-1/authorizations/"+testAuthID, rerr.Path)
				assert.Equal(t, "GET", rerr.Method)
			}},
	})
}

func TestRawRequestCarriesItsBodyAndAuth(t *testing.T) {
	var got *http.Request
	var body string
	c := newTestClient(t, roundTripFunc(func(req *http.Request) (*http.Response, error) {
		got = req
		b, _ := io.ReadAll(req.Body)
		body = string(b)
		return &http.Response{StatusCode: 201, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"id":"c-1"}`)), Request: req}, nil
	}))
	req, err := c.NewRequest(context.Background(), http.MethodPost, "v8/siteOwners/owner-1/contracts", map[string]string{"displayName": "Flat 3"})
	require.NoError(t, err)
	var out struct{ ID string }
	_, err = c.Do(req, &out)
	require.NoError(t, err)
	assert.Equal(t, "c-1", out.ID)
	assert.Equal(t, "/v8/siteOwners/owner-1/contracts", got.URL.Path)
	assert.Equal(t, "Bearer "+testAccess, got.Header.Get("Authorization"))
	assert.JSONEq(t, `{"displayName":"Flat 3"}`, body)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))

	_, err = c.NewRequest(context.Background(), http.MethodGet, "v8/sites/%v", nil)
	assert.ErrorIs(t, err, access.ErrInvalid, "a template without its parameter")
}

func TestRevokeIfLiveRequests(t *testing.T) {
	for name, tc := range map[string]struct {
		fixture string
		revoked bool
	}{
		"live: GET then DELETE":              {"authorization_response.json", true},
		"every credential expired: GET only": {"authorization_expired_response.json", false},
	} {
		t.Run(name, func(t *testing.T) {
			var sent []string
			var deleteBody string
			c := newTestClient(t, roundTripFunc(func(req *http.Request) (*http.Response, error) {
				sent = append(sent, req.Method+" "+req.URL.Path)
				status, body := 200, fixture(t, tc.fixture)
				if req.Method == http.MethodDelete {
					b, _ := io.ReadAll(req.Body)
					deleteBody, status, body = string(b), 204, ""
				}
				return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
			}))
			a, revoked, _, err := c.Authorizations.RevokeIfLive(context.Background(), testSite, testAuthID)
			require.NoError(t, err)
			assert.Equal(t, tc.revoked, revoked)
			assert.Equal(t, tc.revoked, a.Live())
			want := []string{"GET /site-1/authorizations/" + testAuthID}
			if tc.revoked {
				want = append(want, "DELETE /site-1/authorizations/"+testAuthID+"/revoke")
				assert.JSONEq(t, fixture(t, "revoke_request.json"), deleteBody)
			}
			assert.Equal(t, want, sent)
		})
	}
}
