package august

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jwt returns an unsigned JWT with the iat and exp claims.
func jwt(iat, exp int64) string {
	enc := base64.RawURLEncoding
	payload, _ := json.Marshal(map[string]any{"iat": iat, "exp": exp, "installId": "i"})
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + ".c2ln"
}

func withToken(resp *http.Response, tok string) *http.Response {
	resp.Header.Set("x-august-access-token", tok)
	return resp
}

func TestTokenRotationUsedByNextRequest(t *testing.T) {
	var sent []string
	var reported []Tokens
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		sent = append(sent, req.Header.Get("x-august-access-token"))
		return withToken(jsonResponse(req, 200, `[]`), fmt.Sprintf("rotated-%d", len(sent))), nil
	})
	c := newTestClient(t, rt, WithTokenCallback(func(tk Tokens) { reported = append(reported, tk) }))
	for range 3 {
		_, _, err := c.Houses.List(context.Background(), nil)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{testToken, "rotated-1", "rotated-2"}, sent)
	require.Len(t, reported, 3)
	assert.Equal(t, access.Secret("rotated-3"), reported[2].AccessToken)
	assert.Equal(t, access.Secret("rotated-3"), c.Tokens().AccessToken)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", reported[2], reported[2], reported[2]), "rotated-3")
}

// An older answer arriving last must not replace the newer token, whether
// the tokens are JWTs (ordered by iat) or opaque (ordered by sending).
func TestTokenRotationOutOfOrder(t *testing.T) {
	for name, toks := range map[string][2]string{
		"jwt":    {jwt(1000, 9000), jwt(2000, 10000)},
		"opaque": {"older-opaque", "newer-opaque"},
	} {
		t.Run(name, func(t *testing.T) {
			firstArrived := make(chan struct{})
			releaseFirst := make(chan struct{})
			var calls atomic.Int32
			var mu sync.Mutex
			var seen []string
			rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
				mu.Lock()
				seen = append(seen, req.Header.Get("x-august-access-token"))
				mu.Unlock()
				switch req.URL.Query().Get("clientSerial") {
				case "first":
					close(firstArrived)
					<-releaseFirst
					return withToken(jsonResponse(req, 200, `[]`), toks[0]), nil
				case "second":
					return withToken(jsonResponse(req, 200, `[]`), toks[1]), nil
				}
				calls.Add(1)
				return jsonResponse(req, 200, `[]`), nil
			})
			var reported []string
			c := newTestClient(t, rt, WithTokenCallback(func(tk Tokens) { reported = append(reported, tk.AccessToken.Reveal()) }))
			ctx := context.Background()
			done := make(chan error)
			go func() {
				_, _, err := c.Houses.List(ctx, &HouseListOptions{ClientSerial: "first"})
				done <- err
			}()
			<-firstArrived
			// The second request is sent after the first, and its answer
			// (the newer token) arrives first.
			_, _, err := c.Houses.List(ctx, &HouseListOptions{ClientSerial: "second"})
			require.NoError(t, err)
			close(releaseFirst)
			require.NoError(t, <-done)
			assert.Equal(t, toks[1], c.Tokens().AccessToken.Reveal())
			assert.Equal(t, []string{toks[1]}, reported, "the older token is never reported")

			_, _, err = c.Houses.List(ctx, nil)
			require.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, toks[1], seen[len(seen)-1], "the next request uses the newest token")
		})
	}
}

// Under concurrency the newest token (by iat) wins, callbacks see tokens in
// increasing order, and later requests carry the newest.
func TestTokenRotationConcurrent(t *testing.T) {
	var issued atomic.Int64
	var record atomic.Bool
	var next atomic.Value
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if record.Load() {
			next.Store(req.Header.Get("x-august-access-token"))
			return jsonResponse(req, 200, `[]`), nil
		}
		n := issued.Add(1)
		return withToken(jsonResponse(req, 200, `[]`), jwt(1000+n, 90000+n)), nil
	})
	var mu sync.Mutex
	var iats []float64
	c := newTestClient(t, rt, WithTokenCallback(func(tk Tokens) {
		mu.Lock()
		iats = append(iats, parseClaims(tk.AccessToken.Reveal()).IssuedAt)
		mu.Unlock()
	}))
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				_, _, err := c.Houses.List(context.Background(), nil)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	newest := jwt(1000+issued.Load(), 90000+issued.Load())
	assert.Equal(t, newest, c.Tokens().AccessToken.Reveal())
	mu.Lock()
	for i := 1; i < len(iats); i++ {
		assert.Greater(t, iats[i], iats[i-1], "callbacks in increasing order")
	}
	mu.Unlock()
	record.Store(true)
	_, _, err := c.Houses.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, newest, next.Load(), "the next request carries the newest token")
	assert.Equal(t, time.Unix(90000+issued.Load(), 0).UTC(), c.Tokens().Expiry)
}

func TestUnauthorizedWithoutRefresh(t *testing.T) {
	var calls atomic.Int32
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		calls.Add(1)
		return jsonResponse(req, 401, `{"code":"Unauthorized","message":"token expired"}`), nil
	})
	c := newTestClient(t, rt)
	_, _, err := c.Locks.List(context.Background())
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	var aerr *Error
	require.ErrorAs(t, err, &aerr)
	assert.Equal(t, 401, aerr.StatusCode)
	assert.Equal(t, int32(1), calls.Load())
}

// After a 401, a token another answer already brought is used once.
func TestUnauthorizedResendsWithRotatedToken(t *testing.T) {
	var sent []string
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		tok := req.Header.Get("x-august-access-token")
		sent = append(sent, tok)
		if tok == testToken {
			// Rejected, but the answer carries the token to use.
			return withToken(jsonResponse(req, 401, `{"code":"Unauthorized","message":"rotated"}`), "fresh-from-header"), nil
		}
		return jsonResponse(req, 200, `[]`), nil
	})
	c := newTestClient(t, rt)
	_, _, err := c.Houses.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{testToken, "fresh-from-header"}, sent)
}

// A 401 with an OAuth refresh token: one refresh (JSON body) whatever the
// number of goroutines, then every call is resent with the new token.
func TestUnauthorizedRefreshesOnce(t *testing.T) {
	var refreshes, apiCalls atomic.Int32
	var refreshBody string
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Host == "auth.august.test" {
			refreshes.Add(1)
			b, _ := io.ReadAll(req.Body)
			refreshBody = string(b)
			assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
			assert.Empty(t, req.Header.Get("x-august-access-token"), "no access token to the OAuth host")
			return jsonResponse(req, 200, harness.Body(t, "oauth_token.json")), nil
		}
		apiCalls.Add(1)
		if req.Header.Get("x-august-access-token") != "oauth-access-2" {
			return jsonResponse(req, 401, `{"code":"Unauthorized","message":"expired"}`), nil
		}
		return jsonResponse(req, 200, `[]`), nil
	})
	var reported []Tokens
	var mu sync.Mutex
	c := newTestClient(t, rt, WithTokens(testToken, "refresh-1"),
		WithOAuth("partner-client", "partner-secret", "https://partner.example.com/oauth/callback"),
		WithTokenCallback(func(tk Tokens) { mu.Lock(); reported = append(reported, tk); mu.Unlock() }))
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := c.Houses.List(context.Background(), nil)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), refreshes.Load())
	assert.JSONEq(t, harness.Body(t, "oauth_refresh_request.json"), refreshBody)
	assert.LessOrEqual(t, apiCalls.Load(), int32(40))
	require.Len(t, reported, 1)
	assert.Equal(t, access.Secret("refresh-2"), reported[0].RefreshToken)
}

// A refused refresh token is not sent again, and the call fails with the
// 401.
func TestRefusedRefreshIsNotRetried(t *testing.T) {
	var refreshes atomic.Int32
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Host == "auth.august.test" {
			refreshes.Add(1)
			return jsonResponse(req, 400, `{"error":"invalid_grant"}`), nil
		}
		return jsonResponse(req, 401, `{"code":"Unauthorized","message":"expired"}`), nil
	})
	c := newTestClient(t, rt, WithTokens(testToken, "refresh-1"), WithOAuth("partner-client", "partner-secret", ""))
	for range 2 {
		_, _, err := c.Houses.List(context.Background(), nil)
		assert.ErrorIs(t, err, access.ErrUnauthorized)
	}
	assert.Equal(t, int32(1), refreshes.Load())
}

func TestOAuthAuthCodeURLAndExchange(t *testing.T) {
	var body string
	var path string
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		path = req.URL.String()
		b, _ := io.ReadAll(req.Body)
		body = string(b)
		return jsonResponse(req, 200, harness.Body(t, "oauth_token.json")), nil
	})
	var reported []Tokens
	c := newTestClient(t, rt, WithOAuth("partner-client", "partner-secret", "https://partner.example.com/oauth/callback"),
		WithTokenCallback(func(tk Tokens) { reported = append(reported, tk) }))

	raw, err := c.Auth.AuthCodeURL("state-123")
	require.NoError(t, err)
	u, err := url.Parse(raw)
	require.NoError(t, err)
	assert.Equal(t, "auth.august.test", u.Host)
	assert.Equal(t, "/authorization", u.Path)
	assert.Equal(t, "partner-client", u.Query().Get("client_id"))
	assert.Equal(t, "code", u.Query().Get("response_type"))
	assert.Equal(t, "state-123", u.Query().Get("state"))
	assert.Equal(t, "https://partner.example.com/oauth/callback", u.Query().Get("redirect_uri"))
	assert.Empty(t, u.Query().Get("client_secret"))
	_, err = c.Auth.AuthCodeURL("")
	assert.ErrorIs(t, err, access.ErrInvalid)

	tok, _, err := c.Auth.Exchange(context.Background(), "auth-code-1")
	require.NoError(t, err)
	assert.Equal(t, "https://auth.august.test/access_token", path)
	assert.JSONEq(t, harness.Body(t, "oauth_token_request.json"), body)
	assert.Equal(t, access.Secret("oauth-access-2"), tok.AccessToken)
	assert.Equal(t, "oauth-access-2", tok.Token().AccessToken)
	require.Len(t, reported, 1)
	assert.Equal(t, c.Tokens(), reported[0])

	_, _, err = c.Auth.Refresh(context.Background())
	require.NoError(t, err)
	assert.JSONEq(t, `{"refresh_token":"refresh-2","client_id":"partner-client","client_secret":"partner-secret","grant_type":"refresh_token"}`, body)

	noOAuth := newTestClient(t, noRequests(t))
	_, _, err = noOAuth.Auth.Exchange(context.Background(), "x")
	assert.ErrorIs(t, err, access.ErrInvalid)
	_, _, err = noOAuth.Auth.Refresh(context.Background())
	assert.ErrorIs(t, err, access.ErrUnauthorized)
}

func TestNewRequiresAPIKey(t *testing.T) {
	_, err := New(WithTokens("a", ""))
	assert.ErrorContains(t, err, "WithAPIKey")
	_, err = New(WithAPIKey("k"), WithBaseURL("http://insecure.example"))
	assert.Error(t, err)
	_, err = New(WithAPIKey("k"), WithSyncOperateTimeout(time.Second))
	assert.Error(t, err)
	c, err := New(WithAPIKey("k"))
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL+"/", c.BaseURL())
	assert.NotContains(t, fmt.Sprintf("%v %+v", c, c), "k\"")
}

func TestParseClaims(t *testing.T) {
	assert.True(t, parseClaims(jwt(5, 6)).ok)
	for _, s := range []string{"", "opaque", "a.b.c", "a." + base64.RawURLEncoding.EncodeToString([]byte(`{}`)) + ".c"} {
		assert.False(t, parseClaims(s).ok, s)
	}
	assert.True(t, newer(parseClaims(jwt(2, 1)), 1, parseClaims(jwt(1, 9)), 5), "iat wins over sending order")
	assert.False(t, newer(parseClaims(jwt(1, 9)), 9, parseClaims(jwt(2, 1)), 1))
	assert.True(t, newer(parseClaims(jwt(1, 10)), 1, parseClaims(jwt(1, 9)), 5), "then exp")
	assert.True(t, newer(jwtClaims{}, 6, parseClaims(jwt(1, 9)), 5), "else sending order")
}

// The API key and token go only to the API's origin: a redirect elsewhere
// is refused before anything is sent there.
func TestCredentialsStayOnOrigin(t *testing.T) {
	var elsewhere atomic.Int32
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Host != "august.test" {
			elsewhere.Add(1)
			return jsonResponse(req, 200, `[]`), nil
		}
		resp := jsonResponse(req, http.StatusFound, ``)
		resp.Header.Set("Location", "https://evil.example/users/houses/mine")
		return resp, nil
	})
	c := newTestClient(t, rt)
	_, _, err := c.Houses.List(context.Background(), nil)
	require.Error(t, err)
	assert.Equal(t, int32(0), elsewhere.Load())
}

func TestRenewIfExpiring(t *testing.T) {
	now := time.Now().Unix()
	soon, later := jwt(now-100, now+3600), jwt(now, now+90*24*3600)
	var calls atomic.Int32
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		calls.Add(1)
		assert.Equal(t, "/users/houses/mine", req.URL.Path)
		return withToken(jsonResponse(req, 200, `[]`), later), nil
	})
	c := newTestClient(t, rt, WithTokens(soon, ""))
	renewed, err := c.RenewIfExpiring(context.Background(), 7*24*time.Hour)
	require.NoError(t, err)
	assert.True(t, renewed)
	assert.Equal(t, later, c.Tokens().AccessToken.Reveal())
	renewed, err = c.RenewIfExpiring(context.Background(), 7*24*time.Hour)
	require.NoError(t, err)
	assert.False(t, renewed, "a token valid for 90 days is left alone")
	assert.Equal(t, int32(1), calls.Load())

	opaque := newTestClient(t, noRequests(t))
	renewed, err = opaque.RenewIfExpiring(context.Background(), 7*24*time.Hour)
	assert.NoError(t, err)
	assert.False(t, renewed)
}

// A refresh that never reached August (the dial failed) did not spend the
// refresh token: it is kept, and the next 401 refreshes with it.
func TestUnsentRefreshKeepsTheRefreshToken(t *testing.T) {
	var refreshes atomic.Int32
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Host == "auth.august.test" {
			if refreshes.Add(1) == 1 {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
			}
			return jsonResponse(req, 200, harness.Body(t, "oauth_token.json")), nil
		}
		if req.Header.Get("x-august-access-token") != "oauth-access-2" {
			return jsonResponse(req, 401, `{"code":"Unauthorized","message":"expired"}`), nil
		}
		return jsonResponse(req, 200, `[]`), nil
	})
	c := newTestClient(t, rt, WithTokens(testToken, "refresh-1"), WithOAuth("partner-client", "partner-secret", ""))
	_, _, err := c.Houses.List(context.Background(), nil)
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	assert.Equal(t, "refresh-1", c.Tokens().RefreshToken.Reveal(), "the unsent refresh token is kept")
	_, _, err = c.Houses.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, int32(2), refreshes.Load())
}
