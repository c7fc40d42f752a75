package primis

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/auth"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// TestAccountCallsAuthorization: deregistration and password change go out
// with Basic when credentials are set, else with the refresh token as
// Bearer, and never with the access JWT, as the document says.
func TestAccountCallsAuthorization(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("ada@example.com:Passw0rd"))
	calls := map[string]struct {
		method, path string
		call         func(ctx context.Context, c *Client) error
	}{
		"Deregister": {"DELETE", "/api/mobile/registration", func(ctx context.Context, c *Client) error {
			_, _, err := c.Auth.Deregister(ctx)
			return err
		}},
		"ChangePassword": {"POST", "/api/mobile/password", func(ctx context.Context, c *Client) error {
			_, _, err := c.Auth.ChangePassword(ctx, "Fresh1234")
			return err
		}},
	}
	setups := map[string]struct {
		opts []Option
		want string // "" means refused before sending
	}{
		"credentials and tokens": {opts: []Option{WithPassword("ada@example.com", "Passw0rd")}, want: basic},
		"tokens only":            {want: "Bearer " + testRefresh},
		"access token only":      {opts: []Option{WithTokens(testJWT, "")}},
	}
	for callName, cl := range calls {
		for setupName, setup := range setups {
			t.Run(callName+"/"+setupName, func(t *testing.T) {
				c, mock := newTestClient(t, setup.opts...)
				var got []string
				mock.RegisterResponder(cl.method, testBase+cl.path, func(req *http.Request) (*http.Response, error) {
					got = append(got, req.Header.Get("Authorization"))
					return jsonResponder(200, `{"status":"ok"}`)(req)
				})
				err := cl.call(context.Background(), c)
				if setup.want == "" {
					assert.ErrorIs(t, err, access.ErrUnauthorized)
					assert.Zero(t, mock.GetTotalCallCount(), "nothing is sent without credentials or a refresh token")
					return
				}
				require.NoError(t, err)
				assert.Equal(t, []string{setup.want}, got)
				assert.Equal(t, 1, mock.GetTotalCallCount(), "no login or renewal first")
			})
		}
	}
}

// TestNoSilentRegistrationAfterDeregister: after Deregister the next call
// fails with ErrDeregistered (an ErrUnauthorized) instead of logging in and
// taking a new licence, until Login is called.
func TestNoSilentRegistrationAfterDeregister(t *testing.T) {
	c, mock := newTestClient(t, WithPassword("ada@example.com", "Passw0rd"))
	ctx := context.Background()
	mock.RegisterResponder("DELETE", testBase+"/api/mobile/registration", jsonResponder(200, `{"status":"ok"}`))
	mock.RegisterResponder("POST", testBase+"/api/mobile/login", jsonResponder(200,
		`{"registered":true,"status":"ok","jwt":"jwt-after-login","refreshToken":"refresh-after-login"}`))
	mock.RegisterResponder("GET", testBase+"/api/mobile/controlled_areas", jsonResponder(200, `[]`))

	_, _, err := c.Auth.Deregister(ctx)
	require.NoError(t, err)
	assert.Empty(t, c.Tokens().AccessToken, "the server dropped the tokens; so does the client")

	_, err = c.ListDoors(ctx)
	assert.ErrorIs(t, err, ErrDeregistered)
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	_, _, err = c.Auth.RenewAccessToken(ctx)
	assert.ErrorIs(t, err, ErrDeregistered)
	info := mock.GetCallCountInfo()
	assert.Zero(t, info["POST "+testBase+"/api/mobile/login"], "no silent registration")
	assert.Zero(t, info["GET "+testBase+"/api/mobile/controlled_areas"])

	_, _, err = c.Auth.Login(ctx)
	require.NoError(t, err)
	_, err = c.ListDoors(ctx)
	require.NoError(t, err)
	assert.Equal(t, "jwt-after-login", c.Tokens().AccessToken.Reveal())
}

// TestDeregisterNeedsStatusOK: the document says a deregistration answers
// status "ok" when done. A 2xx with another status is no evidence the
// device is gone: it is access.ErrOutcomeUnknown, and the client keeps its
// tokens and goes on rather than stop as deregistered while Primis may
// still hold the device's licence.
func TestDeregisterNeedsStatusOK(t *testing.T) {
	for _, body := range []string{`{"status":"error","message":"Unable to deregister"}`, `{}`} {
		t.Run(body, func(t *testing.T) {
			c, mock := newTestClient(t, WithPassword("ada@example.com", "Passw0rd"))
			ctx := context.Background()
			mock.RegisterResponder("DELETE", testBase+"/api/mobile/registration", jsonResponder(200, body))
			mock.RegisterResponder("GET", testBase+"/api/mobile/controlled_areas", jsonResponder(200, `[]`))

			_, _, err := c.Auth.Deregister(ctx)
			require.ErrorIs(t, err, access.ErrOutcomeUnknown)
			assert.NotErrorIs(t, err, ErrDeregistered)
			assert.Equal(t, testJWT, c.Tokens().AccessToken.Reveal(), "the tokens are kept")
			_, err = c.ListDoors(ctx)
			require.NoError(t, err, "the client is not taken for deregistered")
		})
	}
}

// A password change answered 2xx with a status other than "ok" is no
// evidence the password changed: the error matches access.ErrOutcomeUnknown
// and the client logs in with the password it had.
func TestChangePasswordNeedsStatusOK(t *testing.T) {
	for _, body := range []string{`{"status":"error","message":"Unable to change the password"}`, `{}`} {
		t.Run(body, func(t *testing.T) {
			c, mock := newTestClient(t, WithPassword("ada@example.com", "Passw0rd"))
			ctx := context.Background()
			mock.RegisterResponder("POST", testBase+"/api/mobile/password", jsonResponder(200, body))
			_, _, err := c.Auth.ChangePassword(ctx, "Fresh1234")
			require.ErrorIs(t, err, access.ErrOutcomeUnknown)
			_, password, _ := c.creds.get()
			assert.Equal(t, "Passw0rd", password, "the password it had")
		})
	}
}

// TestLoginAnswersAreChecked: a 2xx login or renewal whose status is not
// "ok" or that carries no jwt is an error, and its tokens are not used.
func TestLoginAnswersAreChecked(t *testing.T) {
	ctx := context.Background()
	bad := map[string]string{
		"status not ok": `{"status":"error","jwt":"jwt-2","refreshToken":"r-2"}`,
		"empty jwt":     `{"status":"ok","jwt":"","refreshToken":"r-2"}`,
		"no jwt":        `{"status":"ok"}`,
		"no status":     `{"jwt":"jwt-2"}`,
	}
	calls := map[string]struct {
		path string
		call func(c *Client) error
	}{
		"Login":                {"/api/mobile/login", func(c *Client) error { _, _, err := c.Auth.Login(ctx); return err }},
		"LoginWithAccessToken": {"/api/mobile/access_token/login", func(c *Client) error { _, _, err := c.Auth.LoginWithAccessToken(ctx); return err }},
		"RenewAccessToken":     {"/api/mobile/access_token", func(c *Client) error { _, _, err := c.Auth.RenewAccessToken(ctx); return err }},
	}
	for callName, cl := range calls {
		for name, body := range bad {
			t.Run(callName+"/"+name, func(t *testing.T) {
				c, mock := newTestClient(t, WithPassword("ada@example.com", "Passw0rd"))
				mock.RegisterResponder("POST", testBase+cl.path, jsonResponder(200, body))
				err := cl.call(c)
				assert.ErrorIs(t, err, access.ErrUnauthorized)
				assert.Equal(t, testJWT, c.Tokens().AccessToken.Reveal(), "the answer's token is not installed")
			})
		}
	}
	t.Run("the first call's login", func(t *testing.T) {
		mock := httpmock.NewMockTransport()
		c, err := New(WithBaseURL(testBase), WithPhoneID(testPhoneID), WithPassword("ada@example.com", "Passw0rd"),
			WithHTTPClient(&http.Client{Transport: mock}))
		require.NoError(t, err)
		mock.RegisterResponder("POST", testBase+"/api/mobile/login", jsonResponder(200, `{"status":"failed","jwt":"x"}`))
		_, err = c.ListDoors(ctx)
		assert.ErrorIs(t, err, access.ErrUnauthorized)
		assert.Zero(t, mock.GetCallCountInfo()["GET "+testBase+"/api/mobile/controlled_areas"])
	})
}

// TestTokenLoginUsesReturnedJWT: the jwt a token login answers replaces the
// one sent; the refresh token is kept.
func TestTokenLoginUsesReturnedJWT(t *testing.T) {
	c, mock := newTestClient(t)
	mock.RegisterResponder("POST", testBase+"/api/mobile/access_token/login", jsonResponder(200,
		`{"registered":true,"status":"ok","jwt":"jwt-from-token-login","phone-id":"`+testPhoneID+`"}`))
	var sent []string
	mock.RegisterResponder("GET", testBase+"/api/mobile/beacons", func(req *http.Request) (*http.Response, error) {
		sent = append(sent, req.Header.Get("Authorization"))
		return jsonResponder(200, `[]`)(req)
	})
	_, _, err := c.Auth.LoginWithAccessToken(context.Background())
	require.NoError(t, err)
	_, _, err = c.Beacons.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"Bearer jwt-from-token-login"}, sent)
	assert.Equal(t, testRefresh, c.Tokens().RefreshToken.Reveal())
}

func jwtWith(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256"}`)) + "." + enc([]byte(claims)) + ".sig"
}

// TestTokenExpiry: when the client's token source renews a JWT. A
// just-fetched token is always used first; the margin is 10 s, at most half
// the lifetime, applied once (it was applied twice, so a five-second token
// was renewed at 6.25 s, after it died); exp - iat cancels a skewed server
// clock.
func TestTokenExpiry(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	unix := func(d time.Duration) int64 { return now.Add(d).Unix() }
	cases := []struct {
		name    string
		claims  string
		fetched time.Time
		renewAt time.Time // zero: never before a 401
	}{
		{"one hour", fmt.Sprintf(`{"iat":%d,"exp":%d}`, unix(0), unix(time.Hour)), now, now.Add(time.Hour - 10*time.Second)},
		{"five seconds", fmt.Sprintf(`{"iat":%d,"exp":%d}`, unix(0), unix(5*time.Second)), now, now.Add(2500 * time.Millisecond)},
		{"server clock an hour behind", fmt.Sprintf(`{"iat":%d,"exp":%d}`, unix(-time.Hour), unix(-time.Hour+time.Minute)), now, now.Add(50 * time.Second)},
		{"server clock an hour ahead", fmt.Sprintf(`{"iat":%d,"exp":%d}`, unix(time.Hour), unix(time.Hour+time.Minute)), now, now.Add(50 * time.Second)},
		{"no iat", fmt.Sprintf(`{"exp":%d}`, unix(8*time.Second)), now, now.Add(4 * time.Second)},
		{"no iat, exp already passed by our clock", fmt.Sprintf(`{"exp":%d}`, unix(-time.Minute)), now, time.Time{}},
		{"exp before iat", fmt.Sprintf(`{"iat":%d,"exp":%d}`, unix(0), unix(-time.Second)), now, time.Time{}},
		{"no exp", `{"sub":"ada"}`, now, time.Time{}},
		{"kept from an earlier session", fmt.Sprintf(`{"iat":%d,"exp":%d}`, unix(-time.Hour), unix(time.Minute)), time.Time{}, now.Add(50 * time.Second)},
		{"kept, short-lived", fmt.Sprintf(`{"iat":%d,"exp":%d}`, unix(-2*time.Second), unix(2*time.Second)), time.Time{}, now},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := newToken(jwtWith(tc.claims), "r", tc.fetched)
			if tc.renewAt.IsZero() {
				assert.True(t, tok.Expiry.IsZero(), "no expiry: renewed after a 401")
				return
			}
			at := tc.fetched
			if at.IsZero() {
				at = now
			}
			if tc.renewAt.After(at) {
				assert.False(t, renewsAt(tok, tc.fetched, tc.renewAt.Add(-time.Millisecond)), "used until %s", tc.renewAt)
			}
			assert.True(t, renewsAt(tok, tc.fetched, tc.renewAt), "renewed at %s", tc.renewAt)
		})
	}
	assert.True(t, newToken("not-a-jwt", "r", now).Expiry.IsZero())
}

// renewsAt reports whether the client's token source, holding tok since
// fetched (zero: kept from an earlier session and installed at at), fetches
// a new token when asked for one at at.
func renewsAt(tok *oauth2.Token, fetched, at time.Time) bool {
	clock := fetched
	fetches := 0
	src := auth.NewSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
		fetches++
		return &oauth2.Token{AccessToken: "next"}, nil
	}, time.Second, nil)
	src.SetClock(func() time.Time { return clock })
	if fetched.IsZero() {
		clock = at
		src.Init(tok)
	} else {
		_ = src.Set(context.Background(), tok)
	}
	clock = at
	if _, err := src.TokenContext(context.Background()); err != nil {
		panic(err)
	}
	return fetches > 0
}
