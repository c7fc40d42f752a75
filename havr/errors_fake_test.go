package havr_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

// A wrong password is answered 401 invalid_credentials: a refused
// credential, not a malformed request.
func TestWrongPasswordIsUnauthorized(t *testing.T) {
	c, _ := newFakeClient(t, havr.WithPassword(havrtest.OwnerEmail, "Wrong-Passw0rd!"))
	_, _, err := c.DoorLocks.List(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	assert.NotErrorIs(t, err, access.ErrInvalid)
	assert.NotContains(t, err.Error(), "Wrong-Passw0rd!")
}

// A login redirected to another origin must not re-send the password there,
// even through the caller's own http.Client, which would follow anything.
func TestLoginRedirectElsewhereSendsNoCredentials(t *testing.T) {
	var stolen atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		_, _ = io.WriteString(w, `{"access_token":"evil","refresh_token":"evil"}`)
	}))
	defer other.Close()
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, status)
		}))
		hc := srv.Client()
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return nil }
		c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(hc),
			havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword), havr.WithRetry(0, 0, 0))
		require.NoError(t, err)
		_, _, err = c.DoorLocks.List(context.Background())
		srv.Close()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "redirected")
		assert.NotContains(t, err.Error(), havrtest.OwnerPassword)
	}
	assert.Zero(t, stolen.Load(), "the other origin received nothing")
}

// A hung Havr does not block a caller without a deadline.
func TestHungServerIsBounded(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()),
		havr.WithTokens("access", "refresh"), havr.WithRetry(0, 0, 0),
		havr.WithResponseHeaderTimeout(50*time.Millisecond))
	require.NoError(t, err)
	_, _, err = c.DoorLocks.List(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrUnavailable)
}
