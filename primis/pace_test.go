package primis_test

import (
	"context"
	"testing"
	"time"

	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// TestRateLimitPacesLoginAndCallsTogether: the login and the calls share
// one limiter, and a caller waiting for it returns its context's error.
func TestRateLimitPacesLoginAndCallsTogether(t *testing.T) {
	c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword, primis.WithRateLimit(rate.Every(time.Hour), 2))
	_, _, err := c.Schedules.List(context.Background()) // the login and the call take both tokens
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err = c.Schedules.List(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, srv.Count("POST", "/api/mobile/login"))
	assert.Equal(t, 1, srv.Count("GET", "/api/mobile/schedules"), "the second call waited for the limiter")
}

// TestTokenTimeoutBoundsTheLogin: a login that hangs is given up after
// WithTokenTimeout.
func TestTokenTimeoutBoundsTheLogin(t *testing.T) {
	c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword, primis.WithTokenTimeout(30*time.Millisecond), primis.WithRetry(0, 0, 0))
	srv.SetLatency(time.Hour)
	_, _, err := c.Schedules.List(context.Background())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Zero(t, srv.Count("GET", "/api/mobile/schedules"))

	for _, opt := range []primis.Option{primis.WithTokenTimeout(0), primis.WithRateLimit(0, 1), primis.WithRateLimit(1, 0)} {
		_, err := primis.New(primis.WithBaseURL(srv.URL), primis.WithPassword("a@b.c", "pw"), primis.WithPhoneID("p"), opt)
		require.Error(t, err)
	}
}
