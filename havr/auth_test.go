package havr

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/resttest"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mobileHarness is a client configured like the document's examples: the
// mobile client id, a device uuid and the "android/5.1" user agent.
var mobileHarness = resttest.Harness[*Client]{
	BaseURL:  testBase,
	Fixtures: "../testdata/havr",
	Headers:  map[string]string{"Authorization": "", "User-Agent": "android/5.1", "Accept": "application/json"},
	NewClient: func(t *testing.T, rt http.RoundTripper) *Client {
		return newTestClient(t, rt, WithClientID(ClientIDMobile), WithDeviceUUID("uuid"),
			WithUserAgent("android/5.1"), WithPassword("email", "password"))
	},
}

func TestAuthEndpoints(t *testing.T) {
	wantToken := &Token{AccessToken: "access_token", RefreshToken: "refresh_token", UserID: 6, FreshUser: true}
	mobileHarness.Run(t, []endpointCase{
		{
			Name: "PasswordToken", Method: "POST", Path: "/oauth/v1/token",
			Request: "token_password_request.json", Response: "token_password_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				tok, _, err := c.Auth.PasswordToken(ctx)
				if err == nil {
					assert.Equal(t, "access_token", c.Tokens().AccessToken.Reveal(), "installed in the client")
				}
				return tok, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, wantToken, v) },
		},
		{
			Name: "RefreshToken", Method: "POST", Path: "/oauth/v1/token",
			Request: "token_refresh_request.json", Response: "token_refresh_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				_ = c.tokens.Set(context.Background(), newToken("old_access_token", "refresh_token"))
				tok, _, err := c.Auth.RefreshToken(ctx)
				return tok, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &Token{AccessToken: "access_token", RefreshToken: "refresh_token", FreshUser: true}, v)
			},
		},
		{
			Name: "Token with client credentials", Method: "POST", Path: "/oauth/v1/token",
			Request: "token_client_credentials_request.json", Response: "token_client_credentials_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				tok, _, err := c.Auth.Token(ctx, TokenRequest{ClientID: "client_id", GrantType: GrantClientCredentials,
					ClientSecret: "client_secret", UserAgent: "android/5.1"})
				return tok, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, wantToken, v) },
		},
		{
			Name: "CheckPassword", Method: "POST", Path: "/oauth/v1/check_passowrd",
			Request: "token_password_request.json", Response: "check_password_response.json",
			Headers: map[string]string{"Authorization": "Bearer " + testAccess},
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Auth.CheckPassword(ctx, "password")
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &PasswordCheck{CorrectPassword: true}, v) },
		},
		{
			Name: "Ping", Method: "GET", Path: "/oauth/v1/ping",
			Headers: map[string]string{"Authorization": "Bearer " + testAccess},
			Call:    func(ctx context.Context, c *Client) (any, error) { return c.Auth.Ping(ctx) },
		},
		{
			Name: "Logout", Method: "GET", Path: "/oauth/v1/logout",
			Headers: map[string]string{"Authorization": "Bearer " + testAccess},
			Call: func(ctx context.Context, c *Client) (any, error) {
				resp, err := c.Auth.Logout(ctx)
				assert.Empty(t, c.Tokens().AccessToken, "the client forgets its tokens")
				return resp, err
			},
		},
	})
	clientCredentialsHarness := harness
	clientCredentialsHarness.NewClient = func(t *testing.T, rt http.RoundTripper) *Client {
		return newTestClient(t, rt, WithClientCredentials("client_id", "client_secret"))
	}
	clientCredentialsHarness.Run(t, []endpointCase{{
		Name: "ClientCredentialsToken", Method: "POST", Path: "/oauth/v1/token",
		Request:  `{"client_id":"client_id","grant_type":"client_credentials","client_secret":"client_secret","user_agent":"` + DefaultUserAgent + `"}`,
		Response: "token_client_credentials_response.json", Headers: map[string]string{"Authorization": ""},
		Call: func(ctx context.Context, c *Client) (any, error) {
			tok, _, err := c.Auth.ClientCredentialsToken(ctx)
			return tok, err
		},
		Check: func(t *testing.T, v any) { assert.Equal(t, wantToken, v) },
	}})
}

func TestAuthErrors(t *testing.T) {
	token := func(ctx context.Context, c *Client) error { _, _, err := c.Auth.PasswordToken(ctx); return err }
	refresh := func(ctx context.Context, c *Client) error { _, _, err := c.Auth.RefreshToken(ctx); return err }
	check := func(ctx context.Context, c *Client) error {
		_, _, err := c.Auth.CheckPassword(ctx, "password")
		return err
	}
	mobileHarness.RunErrors(t, []errorCase{
		{Name: "token: user_agent is missing", Status: 400, Body: "error_missing_user_agent.json", Sentinel: access.ErrInvalid,
			Call: token, Check: havrError(400, "", "Missing parameter (user_agent).")},
		{Name: "refresh: uuid is missing", Status: 400, Body: "error_missing_uuid.json", Sentinel: access.ErrInvalid,
			Call: refresh, Check: havrError(400, "", "Missing parameter (uuid).")},
		{Name: "check password: user is inactive", Status: 403, Body: "error_account_inactive.json", Sentinel: access.ErrForbidden,
			Call: check, Check: havrError(403, "account_inactive", "Account is inactive")},
		{Name: "check password: uuid is missing", Status: 400, Body: "error_missing_uuid.json", Sentinel: access.ErrInvalid,
			Call: check, Check: havrError(400, "", "Missing parameter (uuid).")},
	})
}

func TestTokenRequestValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	for name, req := range map[string]TokenRequest{
		"no client id":     {GrantType: GrantPassword, EmailOrUsername: "a", Password: "b", UserAgent: "ua"},
		"no user agent":    {ClientID: ClientIDWebPlatform, GrantType: GrantPassword, EmailOrUsername: "a", Password: "b"},
		"unknown grant":    {ClientID: ClientIDWebPlatform, GrantType: "implicit", UserAgent: "ua"},
		"password missing": {ClientID: ClientIDWebPlatform, GrantType: GrantPassword, EmailOrUsername: "a", UserAgent: "ua"},
		"no refresh token": {ClientID: ClientIDWebPlatform, GrantType: GrantRefreshToken, UserAgent: "ua"},
		"no secret":        {ClientID: "c", GrantType: GrantClientCredentials, UserAgent: "ua"},
		"mobile, no uuid":  {ClientID: ClientIDIOS, GrantType: GrantPassword, EmailOrUsername: "a", Password: "b", UserAgent: "ua"},
	} {
		_, _, err := c.Auth.Token(ctx, req)
		assert.ErrorIs(t, err, access.ErrInvalid, name)
	}
}

func TestNewValidation(t *testing.T) {
	for name, opts := range map[string][]Option{
		"no base URL":     {WithPassword("a", "b")},
		"http base URL":   {WithBaseURL("http://havr.test"), WithPassword("a", "b")},
		"no credentials":  {WithBaseURL(testBase)},
		"empty password":  {WithBaseURL(testBase), WithPassword("a", "")},
		"empty secret":    {WithBaseURL(testBase), WithClientCredentials("a", "")},
		"empty UA":        {WithBaseURL(testBase), WithPassword("a", "b"), WithUserAgent("")},
		"empty client id": {WithBaseURL(testBase), WithPassword("a", "b"), WithClientID("")},
	} {
		c, err := New(opts...)
		assert.Error(t, err, name)
		assert.Nil(t, c, name)
	}
}

// tokenServer answers the token endpoint and one API endpoint like Havr:
// access tokens are valid until expired, refresh tokens are single-use.
type tokenServer struct {
	refreshes, passwordGrants, reused atomic.Int32
	mu                                sync.Mutex
	valid                             map[string]bool // access tokens
	refresh                           map[string]bool // unused refresh tokens
	rejectRefresh                     bool
	n                                 int
}

func newTokenServer() *tokenServer {
	return &tokenServer{valid: map[string]bool{}, refresh: map[string]bool{"refresh-token-1": true}}
}

func (s *tokenServer) lock()   { s.mu.Lock() }
func (s *tokenServer) unlock() { s.mu.Unlock() }

func (s *tokenServer) transport() http.RoundTripper {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("POST", testBase+"/oauth/v1/token", func(req *http.Request) (*http.Response, error) {
		var body map[string]string
		if err := jsonDecode(req, &body); err != nil {
			return httpmock.NewStringResponse(400, `{"error":"bad json"}`), nil
		}
		s.lock()
		defer s.unlock()
		switch body["grant_type"] {
		case GrantRefreshToken:
			s.refreshes.Add(1)
			if s.rejectRefresh || !s.refresh[body["refresh_token"]] {
				s.reused.Add(1)
				return httpmock.NewStringResponse(401, `{"error":"Invalid refresh token"}`), nil
			}
			delete(s.refresh, body["refresh_token"])
		case GrantPassword:
			s.passwordGrants.Add(1)
			if body["password"] != "Correct-Horse-9" {
				return httpmock.NewStringResponse(401, `{"error":"Invalid credentials"}`), nil
			}
		}
		s.n++
		access, refresh := "access-"+itoa(s.n), "refresh-"+itoa(s.n)
		s.valid[access], s.refresh[refresh] = true, true
		return httpmock.NewStringResponse(200, `{"access_token":"`+access+`","refresh_token":"`+refresh+`","fresh_user":false}`), nil
	})
	mock.RegisterResponder("GET", testBase+"/v1/companies", func(req *http.Request) (*http.Response, error) {
		s.lock()
		ok := s.valid[strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")]
		s.unlock()
		if !ok {
			return httpmock.NewStringResponse(401, `{"error":"Unauthorized"}`), nil
		}
		return httpmock.NewStringResponse(200, `[]`), nil
	})
	return mock
}

func TestConcurrentCallsWithExpiredTokenRefreshOnce(t *testing.T) {
	srv := newTokenServer()
	var rotations atomic.Int32
	c := newTestClient(t, srv.transport(), WithTokenCallback(func(Tokens) { rotations.Add(1) }))
	// testAccess is not valid on this server: it has expired.
	const n = 200
	errs := make(chan error, n)
	start := make(chan struct{})
	for range n {
		go func() {
			<-start
			_, _, err := c.Companies.List(context.Background())
			errs <- err
		}()
	}
	close(start)
	for range n {
		require.NoError(t, <-errs)
	}
	assert.EqualValues(t, 1, srv.refreshes.Load(), "exactly one refresh request")
	assert.EqualValues(t, 0, srv.reused.Load(), "no request with a used refresh token")
	assert.EqualValues(t, 0, srv.passwordGrants.Load())
	assert.EqualValues(t, 1, rotations.Load())
	assert.Equal(t, "refresh-1", c.Tokens().RefreshToken.Reveal(), "the rotated pair is kept")
}

func TestRejectedRefreshFallsBackToPassword(t *testing.T) {
	srv := newTokenServer()
	srv.rejectRefresh = true
	c := newTestClient(t, srv.transport())
	_, _, err := c.Companies.List(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 1, srv.refreshes.Load())
	assert.EqualValues(t, 1, srv.passwordGrants.Load())
}

func TestRejectedRefreshWithoutCredentialsIsUnauthorized(t *testing.T) {
	srv := newTokenServer()
	srv.rejectRefresh = true
	c, err := New(WithBaseURL(testBase), WithTokens(testAccess, testRefresh), WithHTTPClient(&http.Client{Transport: srv.transport()}))
	require.NoError(t, err)
	_, _, err = c.Companies.List(context.Background())
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	var herr *Error
	assert.True(t, errors.As(err, &herr), "the server's answer is kept")
}

func TestWrongPasswordIsUnauthorized(t *testing.T) {
	srv := newTokenServer()
	c, err := New(WithBaseURL(testBase), WithPassword("ada", "wrong"), WithHTTPClient(&http.Client{Transport: srv.transport()}))
	require.NoError(t, err)
	_, _, err = c.Companies.List(context.Background())
	assert.ErrorIs(t, err, access.ErrUnauthorized)
}

func TestClientStringHidesSecrets(t *testing.T) {
	c := newTestClient(t, noRequests(t), WithClientCredentials("cid", "very-secret"))
	for _, s := range []string{c.String(), sprintAll(c), sprintAll(c.Tokens()),
		sprintAll(TokenRequest{Password: "pw-secret", RefreshToken: "rt-secret", ClientSecret: "very-secret"})} {
		for _, secret := range []string{"very-secret", "Correct-Horse-9", testAccess, testRefresh, "pw-secret", "rt-secret"} {
			assert.NotContains(t, s, secret)
		}
	}
}
