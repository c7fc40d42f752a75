package clientopt

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/internal/pace"
	"github.com/doorkit/doorkit/internal/rest"
)

func TestBoundsAndLoggingReachRestConfig(t *testing.T) {
	c := New("test", "ua", "https://api.example.test")
	base, err := c.ParseBaseURL(false, "")
	require.NoError(t, err)

	cfg, err := c.RestConfig(base, nil)
	require.NoError(t, err)
	assert.Zero(t, cfg.MaxBody, "rest.DefaultMaxBody applies")
	assert.Negative(t, cfg.ResponseHeaderTimeout, "the bound is under pacing and auth, not over them")
	assert.Negative(t, cfg.ResponseBodyTimeout, "likewise the body bound")

	require.Error(t, c.SetMaxBody(0))
	require.Error(t, c.SetMaxBody(-1))
	require.Error(t, c.SetResponseHeaderTimeout(0))
	require.Error(t, c.SetResponseBodyTimeout(0))
	require.Error(t, c.SetResponseBodyTimeout(-time.Second))
	require.NoError(t, c.SetResponseBodyTimeout(2*time.Second))
	require.NoError(t, c.SetMaxBody(1<<10))
	require.NoError(t, c.SetResponseHeaderTimeout(time.Second))
	c.LogBodies, c.SecretFields = true, []string{"base64"}
	c.Logger = discardLogger()
	cfg, err = c.RestConfig(base, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1<<10), cfg.MaxBody)
	assert.Equal(t, time.Second, c.ResponseHeaderTimeout)
	assert.Equal(t, 2*time.Second, c.ResponseBodyTimeout)
	paced, ok := cfg.Transport.(*pace.Transport)
	require.True(t, ok, "every client is paced")
	lt, ok := paced.Base().(*rest.LogTransport)
	require.True(t, ok)
	assert.True(t, lt.Bodies)
	assert.Equal(t, []string{"base64"}, lt.SecretFields)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Waiting for a rate-limit slot does not count against the response-header
// bound: only the vendor's time to answer does.
func TestHeaderBoundExcludesPacing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c := New("test", "ua", srv.URL)
	base, err := c.ParseBaseURL(true, "")
	require.NoError(t, err)
	// Generous numbers, so a loaded machine cannot fail it: the local
	// server answers at once, well within 2 s, while the second call waits
	// 3 s for its slot. Were the wait counted, it would fail every time.
	require.NoError(t, c.SetResponseHeaderTimeout(2*time.Second))
	require.NoError(t, c.SetRateLimit(rate.Every(3*time.Second), 1))
	cfg, err := c.RestConfig(base, nil)
	require.NoError(t, err)
	client := rest.New(cfg)

	errs := make(chan error, 2)
	for range 2 {
		go func() {
			var out struct{}
			_, err := client.Do(context.Background(), rest.Post("x"), &out)
			errs <- err
		}()
	}
	for range 2 {
		assert.NoError(t, <-errs)
	}
}

// The body bound reaches the transport RestConfig builds: a body trickled
// forever ends at it, with no deadline from the caller.
func TestBodyBoundReachesTheTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"id":"`)
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
			if _, err := io.WriteString(w, "x"); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := New("test", "ua", srv.URL)
	base, err := c.ParseBaseURL(true, "")
	require.NoError(t, err)
	require.NoError(t, c.SetResponseBodyTimeout(50*time.Millisecond))
	cfg, err := c.RestConfig(base, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a backstop only
	defer cancel()
	var out struct{ ID string }
	_, err = rest.New(cfg).Do(ctx, rest.Get("x"), &out)
	require.ErrorIs(t, err, rest.ErrResponseBodyTimeout)
	assert.NoError(t, ctx.Err())
}

// TestInfiniteRateLimitTurnsPacingOff: WithRateLimit(rate.Inf, ...) keeps
// its documented meaning, no client-side pacing, not even the learning.
func TestInfiniteRateLimitTurnsPacingOff(t *testing.T) {
	c := New("test", "ua", "https://api.example.test")
	base, err := c.ParseBaseURL(false, "")
	require.NoError(t, err)
	require.NoError(t, c.SetRateLimit(rate.Inf, 1))
	cfg, err := c.RestConfig(base, nil)
	require.NoError(t, err)
	_, paced := cfg.Transport.(*pace.Transport)
	assert.False(t, paced)
}
