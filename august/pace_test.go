package august_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// TestRateLimitPacesCalls: a call waiting for the limiter returns its
// context's error without being sent.
func TestRateLimitPacesCalls(t *testing.T) {
	env := newFakeEnv(t, august.WithRateLimit(rate.Every(time.Hour), 1))
	_, _, err := env.c.Locks.List(context.Background())
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err = env.c.Locks.List(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, env.srv.Count(http.MethodGet, "/users/locks/mine"), "the second call waited for the limiter")
}

// hangingAuth is an OAuth server whose token endpoint answers only when the
// client gives up, or with a 500 when the test ends; started tells when a
// refresh has arrived.
func hangingAuth(t *testing.T) (*httptest.Server, chan struct{}, *atomic.Int32) {
	started, release := make(chan struct{}, 8), make(chan struct{})
	var refreshes atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refreshes.Add(1)
		// Reading the body lets the server notice the client hanging up.
		_, _ = io.Copy(io.Discard, r.Body)
		started <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first
	return srv, started, &refreshes
}

// newRefreshingClient holds an access token the fake has expired and an
// OAuth refresh token, so its first call is refused and refreshes at auth.
func newRefreshingClient(t *testing.T, auth string, opts ...august.Option) *august.Client {
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	stale := srv.NewToken(augusttest.OwnerID)
	srv.ExpireAccessTokens()
	c, err := august.New(append([]august.Option{august.WithBaseURL(srv.URL), august.WithAuthURL(auth),
		august.WithHTTPClient(srv.Client()), august.WithAPIKey(augusttest.APIKey), august.WithRetry(0, 0, 0),
		august.WithTokens(stale, "refresh-1"),
		august.WithOAuth(augusttest.ClientID, augusttest.OAuthClientSecret, "https://partner.example.com/cb")}, opts...)...)
	require.NoError(t, err)
	return c
}

// TestCallerLeavesAHangingRefresh: a caller whose context ends while the
// OAuth refresh hangs returns its context's error at once; the refresh is
// not sent a second time by the next caller while it is still running.
func TestCallerLeavesAHangingRefresh(t *testing.T) {
	auth, started, refreshes := hangingAuth(t)
	c := newRefreshingClient(t, auth.URL)
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() { _, _, err := c.Locks.List(ctx); errs <- err }()
	<-started
	cancel()
	err := <-errs
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, access.ErrUnauthorized)

	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	_, _, err = c.Locks.List(ctx2)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int32(1), refreshes.Load())
}

// TestTokenTimeoutBoundsTheRefresh: a refresh that hangs is given up after
// WithTokenTimeout, and the caller learns it must authorise again.
func TestTokenTimeoutBoundsTheRefresh(t *testing.T) {
	auth, _, refreshes := hangingAuth(t)
	c := newRefreshingClient(t, auth.URL, august.WithTokenTimeout(time.Second)) // long enough for the refresh to reach the hanging server on a loaded machine
	_, _, err := c.Locks.List(context.Background())
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	assert.Equal(t, int32(1), refreshes.Load())
	assert.Empty(t, c.Tokens().RefreshToken, "a refresh token whose refresh failed is not sent again")
}
