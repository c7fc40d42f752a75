package havr

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
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

// hangingTokens is a token endpoint that does not answer until released,
// and an API endpoint that accepts the token it then issues.
type hangingTokens struct {
	release          chan struct{}
	first            chan struct{} // closed when the first token request arrives
	started, answers atomic.Int32
	apiCalls         atomic.Int32
}

func (h *hangingTokens) transport() http.RoundTripper {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("POST", testBase+"/oauth/v1/token", func(req *http.Request) (*http.Response, error) {
		if h.started.Add(1) == 1 {
			close(h.first)
		}
		select {
		case <-h.release:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
		h.answers.Add(1)
		return httpmock.NewStringResponse(200, `{"access_token":"late","refresh_token":"r","fresh_user":false}`), nil
	})
	mock.RegisterResponder("GET", testBase+"/v1/companies", func(req *http.Request) (*http.Response, error) {
		h.apiCalls.Add(1)
		if req.Header.Get("Authorization") != "Bearer late" {
			return httpmock.NewStringResponse(401, `{"error":"Unauthorized"}`), nil
		}
		return httpmock.NewStringResponse(200, `[]`), nil
	})
	return mock
}

// TestCallerReturnsOnItsContextWhileTheTokenFetchHangs (issue 6 item 4).
func TestCallerReturnsOnItsContextWhileTheTokenFetchHangs(t *testing.T) {
	h := &hangingTokens{release: make(chan struct{}), first: make(chan struct{})}
	c, err := New(WithBaseURL(testBase), WithPassword("ada@example.com", "Correct-Horse-9"),
		WithHTTPClient(&http.Client{Transport: h.transport()}), WithTokenTimeout(time.Hour))
	require.NoError(t, err)

	// The first caller starts the fetch; its deadline passes while the
	// token endpoint hangs.
	ctx := newExpiring()
	first := make(chan error, 1)
	go func() { _, _, err := c.Companies.List(ctx); first <- err }()
	<-h.first
	ctx.expire()
	assert.ErrorIs(t, <-first, context.DeadlineExceeded, "the first caller returns on its deadline")

	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err = c.Companies.List(short)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "so does one waiting on the same fetch")
	assert.Equal(t, int32(1), h.started.Load(), "one fetch, still running")
	assert.Zero(t, h.answers.Load())
	assert.Zero(t, h.apiCalls.Load(), "no request went out without a token")

	close(h.release)
	_, _, err = c.Companies.List(context.Background())
	require.NoError(t, err, "the fetch completed and later callers get its token")
	assert.Equal(t, int32(1), h.started.Load(), "no second fetch")
	assert.Equal(t, int32(1), h.apiCalls.Load())
}

func TestTokenTimeoutBoundsTheFetch(t *testing.T) {
	h := &hangingTokens{release: make(chan struct{}), first: make(chan struct{})} // never released
	c, err := New(WithBaseURL(testBase), WithPassword("ada@example.com", "Correct-Horse-9"),
		WithHTTPClient(&http.Client{Transport: h.transport()}), WithTokenTimeout(10*time.Millisecond), WithRetry(0, 0, 0))
	require.NoError(t, err)
	_, _, err = c.Companies.List(context.Background())
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the fetch gave up after the token timeout")
	assert.Equal(t, int32(1), h.started.Load())

	for _, d := range []time.Duration{0, -time.Second} {
		_, err := New(WithBaseURL(testBase), WithPassword("a", "b"), WithTokenTimeout(d))
		assert.Error(t, err, d)
	}
}

// refreshServer answers refresh grants through fail and password grants
// with a fresh pair; the API accepts only the password grant's token.
type refreshServer struct {
	mu        sync.Mutex
	refreshed []string // refresh tokens sent
	passwords int
	pings     int
	fail      func(n int) (*http.Response, error)
	noRefresh bool // password answers carry no refresh_token
}

func (s *refreshServer) sent() (refreshes []string, passwords int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refreshed...), s.passwords
}

func (s *refreshServer) transport() http.RoundTripper {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("POST", testBase+"/oauth/v1/token", func(req *http.Request) (*http.Response, error) {
		var body map[string]string
		if err := jsonDecode(req, &body); err != nil {
			return httpmock.NewStringResponse(400, `{"error":"bad json"}`), nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if body["grant_type"] == GrantRefreshToken {
			s.refreshed = append(s.refreshed, body["refresh_token"])
			return s.fail(len(s.refreshed))
		}
		s.passwords++
		if s.noRefresh {
			return httpmock.NewStringResponse(200, `{"access_token":"by-password","fresh_user":false}`), nil
		}
		return httpmock.NewStringResponse(200, `{"access_token":"by-password","refresh_token":"new-refresh","fresh_user":false}`), nil
	})
	mock.RegisterResponder("GET", testBase+"/v1/companies", func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") != "Bearer by-password" {
			return httpmock.NewStringResponse(401, `{"error":"Unauthorized"}`), nil
		}
		return httpmock.NewStringResponse(200, `[]`), nil
	})
	mock.RegisterResponder("GET", testBase+"/oauth/v1/ping", func(req *http.Request) (*http.Response, error) {
		s.mu.Lock()
		s.pings++
		s.mu.Unlock()
		if req.Header.Get("Authorization") != "Bearer by-password" {
			return httpmock.NewStringResponse(401, `{"error":"Unauthorized"}`), nil
		}
		return httpmock.NewStringResponse(200, ``), nil
	})
	return mock
}

// TestRefreshTokenIsSentAtMostOnce (issue 6 item 11): whatever happens to a
// refresh (an error status, a 503 the retry layer would resend, a body that
// does not decode, a connection lost after sending), its refresh token is
// never sent again; the client falls back to the password grant, or without
// one answers ErrUnauthorized on every later call without sending it.
func TestRefreshTokenIsSentAtMostOnce(t *testing.T) {
	failures := map[string]func(int) (*http.Response, error){
		"500": func(int) (*http.Response, error) { return httpmock.NewStringResponse(500, `{"error":"Internal"}`), nil },
		"503 with Retry-After": func(int) (*http.Response, error) {
			resp := httpmock.NewStringResponse(503, `{"error":"Unavailable"}`)
			resp.Header.Set("Retry-After", "0")
			return resp, nil
		},
		"429 with Retry-After": func(int) (*http.Response, error) {
			resp := httpmock.NewStringResponse(429, `{"error":"Slow down"}`)
			resp.Header.Set("Retry-After", "0")
			return resp, nil
		},
		"garbage 200": func(int) (*http.Response, error) { return httpmock.NewStringResponse(200, `<html>`), nil },
		"no access token": func(int) (*http.Response, error) {
			return httpmock.NewStringResponse(200, `{"refresh_token":"x"}`), nil
		},
		"connection lost": func(int) (*http.Response, error) { return nil, errors.New("read: connection reset by peer") },
		"refused": func(int) (*http.Response, error) {
			return httpmock.NewStringResponse(401, `{"error":"Invalid refresh token"}`), nil
		},
	}
	retries := WithRetry(3, time.Millisecond, 2*time.Millisecond)
	for name, fail := range failures {
		t.Run(name+", with a password", func(t *testing.T) {
			srv := &refreshServer{fail: fail}
			c := newTestClient(t, srv.transport(), retries)
			for range 2 {
				_, _, err := c.Companies.List(context.Background())
				require.NoError(t, err)
			}
			refreshes, passwords := srv.sent()
			assert.Equal(t, []string{testRefresh}, refreshes, "the refresh token went out once")
			assert.Equal(t, 1, passwords, "then the password grant")
		})
		t.Run(name+", without credentials", func(t *testing.T) {
			srv := &refreshServer{fail: fail}
			c, err := New(WithBaseURL(testBase), WithTokens(testAccess, testRefresh),
				WithHTTPClient(&http.Client{Transport: srv.transport()}), retries)
			require.NoError(t, err)
			for range 3 {
				_, _, err := c.Companies.List(context.Background())
				assert.ErrorIs(t, err, access.ErrUnauthorized)
			}
			_, _, err = c.Auth.RefreshToken(context.Background())
			assert.ErrorIs(t, err, access.ErrUnauthorized, "an explicit refresh is refused locally too")
			refreshes, _ := srv.sent()
			assert.Equal(t, []string{testRefresh}, refreshes, "the refresh token went out once")
		})
	}
}

// TestRefreshTokenIsKeptWhenNothingWasSent: a failure to connect proves the
// refresh token never left, so the next call may send it.
func TestRefreshTokenIsKeptWhenNothingWasSent(t *testing.T) {
	srv := &refreshServer{fail: func(n int) (*http.Response, error) {
		if n == 1 {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}
		return httpmock.NewStringResponse(200, `{"access_token":"by-password","refresh_token":"r2","fresh_user":false}`), nil
	}}
	c, err := New(WithBaseURL(testBase), WithTokens(testAccess, testRefresh),
		WithHTTPClient(&http.Client{Transport: srv.transport()}), WithRetry(0, 0, 0))
	require.NoError(t, err)
	_, _, err = c.Companies.List(context.Background())
	require.Error(t, err)
	_, _, err = c.Companies.List(context.Background())
	require.NoError(t, err)
	refreshes, _ := srv.sent()
	assert.Equal(t, []string{testRefresh, testRefresh}, refreshes, "the dial failure sent nothing; the token was tried again")
}

// TestAnswerWithoutRefreshTokenIsNotReported: the pair is used, but the
// callback never receives an empty refresh token, and the next renewal uses
// the password grant.
func TestAnswerWithoutRefreshTokenIsNotReported(t *testing.T) {
	srv := &refreshServer{noRefresh: true, fail: func(int) (*http.Response, error) {
		return httpmock.NewStringResponse(500, `{}`), nil
	}}
	var reported []Tokens
	c := newTestClient(t, srv.transport(), WithTokenCallback(func(tk Tokens) { reported = append(reported, tk) }))
	_, _, err := c.Companies.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "by-password", c.Tokens().AccessToken.Reveal())
	assert.Empty(t, c.Tokens().RefreshToken.Reveal(), "the client has no refresh token")
	assert.Empty(t, reported, "an answer without a refresh token is not reported")

	c.tokens.Invalidate(c.tokens.Current())
	_, _, err = c.Companies.List(context.Background())
	require.NoError(t, err)
	refreshes, passwords := srv.sent()
	assert.Equal(t, []string{testRefresh}, refreshes)
	assert.Equal(t, 2, passwords, "no refresh token: the password grant again")
}

// TestPingReportsAnInvalidToken (issue 6 item 14): Ping sends the token as
// is and reports the 401 instead of refreshing it away.
func TestPingReportsAnInvalidToken(t *testing.T) {
	srv := &refreshServer{fail: func(int) (*http.Response, error) { return nil, errors.New("unexpected refresh") }}
	c := newTestClient(t, srv.transport())
	resp, err := c.Auth.Ping(context.Background())
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	refreshes, passwords := srv.sent()
	assert.Empty(t, refreshes, "no refresh")
	assert.Zero(t, passwords, "no new login")

	// The token is known to be invalid now: the next call renews it before
	// sending, and a ping of the new token succeeds.
	srv.fail = func(int) (*http.Response, error) {
		return httpmock.NewStringResponse(401, `{"error":"Invalid refresh token"}`), nil
	}
	_, _, err = c.Companies.List(context.Background())
	require.NoError(t, err)
	_, err = c.Auth.Ping(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, srv.pings)
}

func TestPingObtainsAFirstToken(t *testing.T) {
	srv := &refreshServer{fail: func(int) (*http.Response, error) { return nil, errors.New("unexpected refresh") }}
	c, err := New(WithBaseURL(testBase), WithPassword("ada@example.com", "Correct-Horse-9"),
		WithHTTPClient(&http.Client{Transport: srv.transport()}))
	require.NoError(t, err)
	_, err = c.Auth.Ping(context.Background())
	require.NoError(t, err)
	_, passwords := srv.sent()
	assert.Equal(t, 1, passwords)
}

// TestTokenLifetimeSetsExpiry (issue 6 item 10): tokens the client obtains
// expire the lifetime after their request was sent; the source renews them
// before that (the rule is tested on a fixed clock in internal/auth).
func TestTokenLifetimeSetsExpiry(t *testing.T) {
	srv := &refreshServer{fail: func(int) (*http.Response, error) {
		return httpmock.NewStringResponse(200, `{"access_token":"by-password","refresh_token":"r2","fresh_user":false}`), nil
	}}
	c := newTestClient(t, srv.transport(), WithTokenLifetime(time.Hour))
	assert.True(t, c.tokens.Current().Expiry.IsZero(), "tokens given with WithTokens have no known lifetime")

	before := time.Now()
	_, _, err := c.Companies.List(context.Background()) // 401, refresh
	require.NoError(t, err)
	after := time.Now()
	exp := c.tokens.Current().Expiry
	assert.False(t, exp.Before(before.Add(time.Hour)), "expiry counts from when the request was sent")
	assert.False(t, exp.After(after.Add(time.Hour)))

	_, _, err = c.Auth.PasswordToken(context.Background())
	require.NoError(t, err)
	assert.False(t, c.tokens.Current().Expiry.IsZero(), "explicit grants get the lifetime too")

	without := newTestClient(t, srv.transport())
	_, _, err = without.Auth.PasswordToken(context.Background())
	require.NoError(t, err)
	assert.True(t, without.tokens.Current().Expiry.IsZero(), "no lifetime: expiry learnt from a 401")

	for _, d := range []time.Duration{0, -time.Minute} {
		_, err := New(WithBaseURL(testBase), WithPassword("a", "b"), WithTokenLifetime(d))
		assert.Error(t, err, d)
	}
}

// TestRateLimitPacesTokenAndAPIRequestsTogether (issue 6 item 9): one
// limiter serves the token fetch and the API call, and a caller waiting for
// it returns its context's error.
func TestRateLimitPacesTokenAndAPIRequestsTogether(t *testing.T) {
	srv := &refreshServer{fail: func(int) (*http.Response, error) { return nil, errors.New("unexpected refresh") }}
	mock := srv.transport().(*httpmock.MockTransport)
	c, err := New(WithBaseURL(testBase), WithPassword("ada@example.com", "Correct-Horse-9"),
		WithHTTPClient(&http.Client{Transport: mock}), WithRateLimit(rate.Every(time.Hour), 2))
	require.NoError(t, err)
	_, _, err = c.Companies.List(context.Background()) // the token fetch and the call take both tokens
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err = c.Companies.List(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 2, mock.GetTotalCallCount(), "the second call waited for the limiter: the fetch had used a token")
	_, passwords := srv.sent()
	assert.Equal(t, 1, passwords)

	for name, opt := range map[string]Option{
		"zero limit": WithRateLimit(0, 1), "negative": WithRateLimit(-1, 1), "zero burst": WithRateLimit(10, 0),
	} {
		_, err := New(WithBaseURL(testBase), WithPassword("a", "b"), opt)
		assert.Error(t, err, name)
	}
	_, err = New(WithBaseURL(testBase), WithPassword("a", "b"), WithRateLimit(rate.Inf, 1))
	assert.NoError(t, err, "rate.Inf: no limit")
}

// expiring is a context whose deadline passes when the test says so.
type expiring struct {
	context.Context
	done chan struct{}
}

func newExpiring() *expiring {
	return &expiring{Context: context.Background(), done: make(chan struct{})}
}

func (e *expiring) expire()               { close(e.done) }
func (e *expiring) Done() <-chan struct{} { return e.done }
func (e *expiring) Err() error {
	select {
	case <-e.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func TestClientPrintsNoSpentRefreshToken(t *testing.T) {
	srv := &refreshServer{fail: func(int) (*http.Response, error) { return httpmock.NewStringResponse(500, `{}`), nil }}
	c := newTestClient(t, srv.transport())
	_, _, err := c.Companies.List(context.Background())
	require.NoError(t, err)
	refreshes, _ := srv.sent()
	require.Equal(t, []string{testRefresh}, refreshes)
	assert.NotContains(t, sprintAll(c), testRefresh)
}

// A DNS failure or a refused TLS certificate also proves the refresh token
// never left: like a failed dial, it is kept for the next call.
func TestRefreshTokenIsKeptWhenNothingReachedHavr(t *testing.T) {
	for name, failure := range map[string]error{
		"DNS failure":             &net.DNSError{Err: "no such host", Name: "havr.test", IsNotFound: true},
		"certificate not trusted": x509.UnknownAuthorityError{},
	} {
		t.Run(name, func(t *testing.T) {
			srv := &refreshServer{fail: func(n int) (*http.Response, error) {
				if n == 1 {
					return nil, failure
				}
				return httpmock.NewStringResponse(200, `{"access_token":"by-password","refresh_token":"r2","fresh_user":false}`), nil
			}}
			c, err := New(WithBaseURL(testBase), WithTokens(testAccess, testRefresh),
				WithHTTPClient(&http.Client{Transport: srv.transport()}), WithRetry(0, 0, 0))
			require.NoError(t, err)
			_, _, err = c.Companies.List(context.Background())
			require.Error(t, err)
			_, _, err = c.Companies.List(context.Background())
			require.NoError(t, err)
			refreshes, _ := srv.sent()
			assert.Equal(t, []string{testRefresh, testRefresh}, refreshes, "nothing was sent; the token was tried again")
		})
	}
}
