package rest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
)

// net/http resends a GET by itself when a reused keep-alive connection
// closes after the request was written. A Once GET (a one-time token in its
// query, August's PIN reservation) must go out once: the connection's loss
// is an unknown outcome for the caller, not a silent second request.
func TestOnceGETIsNotReplayedByNetHTTP(t *testing.T) {
	var onceCalls atomic.Int32
	var bodyShown atomic.Bool
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 || len(r.TransferEncoding) > 0 || r.Header.Get("Content-Length") != "" {
			bodyShown.Store(true)
		}
		if r.URL.Path == "/v1/once" && onceCalls.Add(1) == 1 {
			_, _ = io.ReadAll(r.Body)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // the request was received; the answer is lost
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	})
	base, err := url.Parse(srv.URL + "/v1/")
	require.NoError(t, err)
	c := New(Config{BaseURL: base, Transport: srv.Client().Transport, Policy: Policy{MaxRetries: 3}})
	ctx := context.Background()

	// Open a keep-alive connection, so the next request reuses it.
	_, err = c.Do(ctx, Get("warm"), nil)
	require.NoError(t, err)

	_, err = c.Do(ctx, Get("once").WithQuery(url.Values{"token": {"ONE-TIME"}}).Once(), nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Equal(t, int32(1), onceCalls.Load(), "the Once GET was sent more than once")

	// A Once GET that gets its answer goes out as a GET without a body.
	_, err = c.Do(ctx, Get("once").Once(), nil)
	require.NoError(t, err)
	assert.Equal(t, int32(2), onceCalls.Load())
	assert.False(t, bodyShown.Load(), "a GET went out with a body")
}
