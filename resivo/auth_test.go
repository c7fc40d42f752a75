package resivo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../testdata/resivo/" + name)
	require.NoError(t, err)
	return string(b)
}

// tokenServer answers POST /oauth2/token with body and GET /v8/sites/site-1
// with the site when the Bearer token is one it issued.
type tokenServer struct {
	mock       *httpmock.MockTransport
	tokenCalls atomic.Int32
	siteCalls  atomic.Int32
	mu         sync.Mutex
	forms      []url.Values
	headers    []http.Header
	valid      map[string]bool
}

func newTokenServer(t *testing.T, tokenStatus int, tokenBody func(n int) string) *tokenServer {
	ts := &tokenServer{mock: httpmock.NewMockTransport(), valid: map[string]bool{}}
	ts.mock.RegisterResponder("POST", testBase+"/oauth2/token", func(req *http.Request) (*http.Response, error) {
		n := int(ts.tokenCalls.Add(1))
		b, _ := io.ReadAll(req.Body)
		form, err := url.ParseQuery(string(b))
		require.NoError(t, err)
		body := tokenBody(n)
		ts.mu.Lock()
		ts.forms = append(ts.forms, form)
		ts.headers = append(ts.headers, req.Header.Clone())
		if tokenStatus == 200 {
			ts.valid[fmt.Sprintf("m2m-%d", n)] = true
		}
		ts.mu.Unlock()
		resp := httpmock.NewStringResponse(tokenStatus, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	ts.mock.RegisterResponder("GET", testBase+"/v8/sites/site-1", func(req *http.Request) (*http.Response, error) {
		ts.siteCalls.Add(1)
		tok := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
		ts.mu.Lock()
		ok := ts.valid[tok]
		ts.mu.Unlock()
		if !ok {
			return httpmock.NewStringResponse(401, `{"message":"Invalid or expired access token"}`), nil
		}
		return httpmock.NewStringResponse(200, fixture(t, "site_response.json")), nil
	})
	return ts
}

func (ts *tokenServer) revokeAll() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	clear(ts.valid)
}

func numberedToken(n int) string {
	return fmt.Sprintf(`{"access_token":"m2m-%d","token_type":"Bearer","expires_in":3600}`, n)
}

func newCCClient(t *testing.T, rt http.RoundTripper, opts ...Option) *Client {
	t.Helper()
	c, err := New(append([]Option{
		WithBaseURL(testBase), WithClientCredentials("m2m-client-1", "m2m-secret-1"),
		WithHTTPClient(&http.Client{Transport: rt}), WithRetry(0, 0, 0),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

func TestClientCredentialsTokenRequest(t *testing.T) {
	ts := newTokenServer(t, 200, func(int) string { return fixture(t, "token_response.json") })
	ts.valid["eyJhbGciOiJSUzI1NiJ9.m2m"] = true
	c := newCCClient(t, ts.mock)
	before := time.Now()
	_, _, err := c.Sites.Get(context.Background(), testSite)
	require.NoError(t, err)

	require.Len(t, ts.forms, 1)
	want, err := url.ParseQuery(fixture(t, "token_request.txt"))
	require.NoError(t, err)
	assert.Equal(t, want, ts.forms[0], "form-encoded client credentials in the body")
	assert.Equal(t, "application/x-www-form-urlencoded", ts.headers[0].Get("Content-Type"))
	assert.Empty(t, ts.headers[0].Get("Authorization"), "credentials in the body, not Basic")

	tok := c.Tokens()
	assert.Equal(t, "eyJhbGciOiJSUzI1NiJ9.m2m", tok.AccessToken.Reveal())
	// expires_in 3600, used until 60 s before.
	assert.WithinDuration(t, before.Add(3600*time.Second-TokenMargin), tok.Expiry, 5*time.Second)

	// The token is reused.
	for range 3 {
		_, _, err = c.Sites.Get(context.Background(), testSite)
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), ts.tokenCalls.Load())
}

func TestTokenWithoutExpiresInIsAssumedToLast300Seconds(t *testing.T) {
	ts := newTokenServer(t, 200, func(int) string { return fixture(t, "token_response_no_expiry.json") })
	c := newCCClient(t, ts.mock)
	now := time.Now()
	c.fetch.nowFn = func() time.Time { return now }
	tok, err := c.Auth.ClientCredentialsToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, now.Add(AssumedTokenLifetime-TokenMargin), tok.Expiry)
}

func TestTokenExpiryMargin(t *testing.T) {
	f := &tokenFetcher{nowFn: func() time.Time { return time.Unix(1000, 0) }}
	assert.Equal(t, time.Unix(1000+3600-60, 0), f.expiry(time.Hour))
	assert.Equal(t, time.Unix(1000+60, 0), f.expiry(2*time.Minute), "margin capped at half the lifetime")
	assert.Equal(t, time.Unix(1000+240, 0), f.expiry(0))
}

func TestExpiredTokenIsRefreshedOnceOn401(t *testing.T) {
	ts := newTokenServer(t, 200, numberedToken)
	c := newCCClient(t, ts.mock)
	_, _, err := c.Sites.Get(context.Background(), testSite)
	require.NoError(t, err)
	ts.revokeAll() // resivo forgets the token before its expiry

	_, _, err = c.Sites.Get(context.Background(), testSite)
	require.NoError(t, err)
	assert.Equal(t, int32(2), ts.tokenCalls.Load())
	assert.Equal(t, int32(3), ts.siteCalls.Load(), "one 401, then the resend")
	assert.Equal(t, "m2m-2", c.Tokens().AccessToken.Reveal())
}

func TestConcurrentCallsFetchOneToken(t *testing.T) {
	ts := newTokenServer(t, 200, numberedToken)
	c := newCCClient(t, ts.mock)
	burst := func() {
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for range 100 {
			wg.Go(func() {
				_, _, err := c.Sites.Get(context.Background(), testSite)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	}
	burst()
	assert.Equal(t, int32(1), ts.tokenCalls.Load())

	// After the token is rejected, 100 callers cause one more fetch.
	ts.revokeAll()
	burst()
	assert.Equal(t, int32(2), ts.tokenCalls.Load())
}

func TestRefusedClientCredentialsAreUnauthorized(t *testing.T) {
	ts := newTokenServer(t, 401, func(int) string { return fixture(t, "error_token_invalid_client.json") })
	c := newCCClient(t, ts.mock)
	_, _, err := c.Sites.Get(context.Background(), testSite)
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	var rerr *Error
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, "invalid_client", rerr.Code)
	assert.NotContains(t, err.Error(), "m2m-secret-1")
	assert.Equal(t, int32(0), ts.siteCalls.Load(), "nothing sent without a token")
}

func TestTokenRedirectIsRefused(t *testing.T) {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("POST", testBase+"/oauth2/token", func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(http.StatusTemporaryRedirect, "")
		resp.Header.Set("Location", "https://evil.test/oauth2/token")
		return resp, nil
	})
	var evil atomic.Int32
	mock.RegisterResponder("POST", "https://evil.test/oauth2/token", func(*http.Request) (*http.Response, error) {
		evil.Add(1)
		return httpmock.NewStringResponse(200, numberedToken(1)), nil
	})
	c := newCCClient(t, mock)
	_, err := c.Auth.ClientCredentialsToken(context.Background())
	require.Error(t, err)
	assert.Equal(t, int32(0), evil.Load(), "the client secret never goes to another host")
}

func TestTokenURLFollowsTheBaseURLPath(t *testing.T) {
	mock := httpmock.NewMockTransport()
	var hit atomic.Int32
	mock.RegisterResponder("POST", "https://resivo.test/gateway/oauth2/token", func(*http.Request) (*http.Response, error) {
		hit.Add(1)
		return httpmock.NewStringResponse(200, numberedToken(1)), nil
	})
	c := newCCClient(t, mock, WithBaseURL("https://resivo.test/gateway/"))
	_, err := c.Auth.ClientCredentialsToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int32(1), hit.Load())
}

func TestUserLoginAuthenticatesCalls(t *testing.T) {
	mock := httpmock.NewMockTransport()
	var logins atomic.Int32
	mock.RegisterResponder("POST", testBase+"/v8/users/login", func(req *http.Request) (*http.Response, error) {
		logins.Add(1)
		b, _ := io.ReadAll(req.Body)
		assert.JSONEq(t, fixture(t, "login_request.json"), string(b))
		assert.Empty(t, req.Header.Get("Authorization"))
		return httpmock.NewStringResponse(200, fixture(t, "login_response.json")), nil
	})
	mock.RegisterResponder("GET", testBase+"/v8/sites/site-1", func(req *http.Request) (*http.Response, error) {
		assert.Equal(t, "Bearer eyJhbGciOiJSUzI1NiJ9.user", req.Header.Get("Authorization"))
		return httpmock.NewStringResponse(200, fixture(t, "site_response.json")), nil
	})
	var seen []Tokens
	c, err := New(WithBaseURL(testBase), WithPassword("ada@example.com", "Correct-Horse-9"),
		WithHTTPClient(&http.Client{Transport: mock}), WithTokenCallback(func(tk Tokens) { seen = append(seen, tk) }))
	require.NoError(t, err)
	_, _, err = c.Sites.Get(context.Background(), testSite)
	require.NoError(t, err)
	_, _, err = c.Sites.Get(context.Background(), testSite)
	require.NoError(t, err)
	assert.Equal(t, int32(1), logins.Load())
	require.Len(t, seen, 1)
	assert.Equal(t, "r3fr3sh-t0k3n", seen[0].RefreshToken.Reveal())
	// A login answer without a lifetime is used for AssumedTokenLifetime.
	assert.WithinDuration(t, time.Now().Add(AssumedTokenLifetime-TokenMargin), seen[0].Expiry, 5*time.Second)
}

func TestLoginAcceptsTokenField(t *testing.T) {
	var r LoginResponse
	require.NoError(t, r.UnmarshalJSON([]byte(`{"token":"t","refreshToken":"r","expiresIn":900}`)))
	assert.Equal(t, LoginResponse{AccessToken: "t", RefreshToken: "r", ExpiresIn: 900}, r)
}

func TestSecretsDoNotPrint(t *testing.T) {
	c := newCCClient(t, noRequests(t), WithPassword("ada@example.com", "pw-Secret-1"), WithTokens("tok-Secret-2", "ref-Secret-3"))
	tk := c.Tokens()
	lr := LoginRequest{Email: "ada@example.com", Password: "pw-Secret-1"}
	pc := PINCode{PINCode: "987654", DisplayName: "x"}
	for _, v := range []any{c, tk, lr, pc, LoginResponse{AccessToken: "tok-Secret-2"}} {
		s := fmt.Sprintf("%v %+v %#v %s", v, v, v, v)
		for _, secret := range []string{"m2m-secret-1", "pw-Secret-1", "tok-Secret-2", "ref-Secret-3", "987654"} {
			assert.NotContains(t, s, secret, "%T", v)
		}
	}
}

func TestNewRequiresCredentials(t *testing.T) {
	_, err := New()
	require.Error(t, err)
	_, err = New(WithClientCredentials("", "x"))
	require.Error(t, err)
	_, err = New(WithPassword("a@b.c", ""))
	require.Error(t, err)
	_, err = New(WithTokens("t", ""), WithBaseURL("http://api.resivo.io"))
	require.Error(t, err, "https only")
	_, err = New(WithTokens("t", ""), WithAPIVersion("8"))
	require.Error(t, err)
	_, err = New(WithTokens("t", ""), WithSites("a/b"))
	require.ErrorIs(t, err, access.ErrInvalid)
	c, err := New(WithTokens("t", ""), WithAPIVersion("v9"))
	require.NoError(t, err)
	assert.Equal(t, "https://api.resivo.io/", c.BaseURL())
	assert.Equal(t, "v9", c.APIVersion())
	c, err = New(WithTokens("t", ""), WithSites("a", "b", "a"))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, c.sites)
	c, err = New(WithTokens("t", ""), WithSites("a"), WithSites("c"))
	require.NoError(t, err)
	assert.Equal(t, []string{"c"}, c.sites)
	_, err = New(WithTokens("t", ""), WithUserAgent(""))
	require.Error(t, err)
	_, err = New(WithTokens("t", ""), WithKeyStore(nil))
	require.Error(t, err)
}

// The raw escape hatch sends its body on every attempt: after a 401 the
// client fetches a token and resends the same JSON (rest.NewHTTPRequest sets
// GetBody), rather than an empty body.
func TestNewRequestBodyIsResentAfter401(t *testing.T) {
	ts := newTokenServer(t, 200, numberedToken)
	var bodies, auths []string
	ts.mock.RegisterResponder("POST", testBase+"/v8/siteOwners/owner-1/contracts", func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		bodies, auths = append(bodies, string(b)), append(auths, req.Header.Get("Authorization"))
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		if len(bodies) == 1 {
			return httpmock.NewStringResponse(401, `{"message":"Invalid or expired access token"}`), nil
		}
		return httpmock.NewStringResponse(201, `{"id":"c-1"}`), nil
	})
	c := newCCClient(t, ts.mock)
	req, err := c.NewRequest(context.Background(), http.MethodPost, "v8/siteOwners/owner-1/contracts", map[string]string{"displayName": "Flat 3"})
	require.NoError(t, err)
	var out struct{ ID string }
	_, err = c.Do(req, &out)
	require.NoError(t, err)
	assert.Equal(t, "c-1", out.ID)
	require.Len(t, bodies, 2)
	assert.JSONEq(t, `{"displayName":"Flat 3"}`, bodies[0])
	assert.JSONEq(t, bodies[0], bodies[1], "the resend carries the body")
	assert.Equal(t, []string{"Bearer m2m-1", "Bearer m2m-2"}, auths)
}

// Token requests go through the client's own transport stack: they carry its
// User-Agent, are logged, take a rate-limit slot and are bounded by the
// response-header timeout.
func TestTokenRequestsShareTheTransportStack(t *testing.T) {
	t.Run("user agent and log", func(t *testing.T) {
		ts := newTokenServer(t, 200, numberedToken)
		var buf strings.Builder
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c := newCCClient(t, ts.mock, WithUserAgent("booking-service/2"), WithLogger(logger))
		_, err := c.Auth.ClientCredentialsToken(context.Background())
		require.NoError(t, err)
		require.Len(t, ts.headers, 1)
		assert.Equal(t, "booking-service/2", ts.headers[0].Get("User-Agent"))
		assert.Contains(t, buf.String(), "/oauth2/token")
		assert.NotContains(t, buf.String(), "m2m-secret-1")
	})
	t.Run("paced", func(t *testing.T) {
		// One request per 10 hours: the call takes the only slot, so the
		// token request waits for the next one until its context ends,
		// and is never sent.
		ts := newTokenServer(t, 200, numberedToken)
		ts.valid["kept"] = true
		c := newCCClient(t, ts.mock, WithTokens("kept", ""), WithRateLimit(rate.Every(10*time.Hour), 1))
		_, _, err := c.Sites.Get(context.Background(), testSite)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err = c.Auth.ClientCredentialsToken(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Zero(t, ts.tokenCalls.Load(), "the token request waited for a slot")
	})
	t.Run("response-header bound", func(t *testing.T) {
		mock := httpmock.NewMockTransport()
		mock.RegisterResponder("POST", testBase+"/oauth2/token", func(req *http.Request) (*http.Response, error) {
			<-req.Context().Done() // a token endpoint that never answers
			return nil, req.Context().Err()
		})
		c := newCCClient(t, mock, WithResponseHeaderTimeout(time.Millisecond))
		_, err := c.Auth.ClientCredentialsToken(context.Background())
		require.Error(t, err, "the fetch ends at the bound, not at the 30 s token timeout")
	})
}
