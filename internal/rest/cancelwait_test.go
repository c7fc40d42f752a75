package rest

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/auth"
	"github.com/doorkit/doorkit/internal/pace"
)

// A POST whose context ends while it waits above the network (for a
// rate-limit slot, for a token) was never sent: it gets the context's error
// and is not of unknown outcome.
func TestContextEndsWhileWaitingToSend(t *testing.T) {
	base, err := url.Parse(testBase)
	require.NoError(t, err)
	ok := func(int, *http.Request) (*http.Response, error) { return response(200, jsonHeader(), `{}`), nil }
	network, pacedNetwork := &fakeTransport{respond: ok}, &fakeTransport{respond: ok}
	hanging := auth.NewSource(func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}, time.Minute, nil)
	paced := pace.New(pacedNetwork, pace.Config{Limit: rate.Every(time.Hour), Burst: 1})
	// Take the only slot, so the next request waits an hour.
	resp, err := paced.RoundTrip(httptestRequest(t))
	require.NoError(t, err)
	resp.Body.Close()

	for name, tc := range map[string]struct {
		rt      http.RoundTripper
		network *fakeTransport
		before  int
	}{
		"waiting for a rate-limit slot": {paced, pacedNetwork, 1},
		"waiting for a token":           {&auth.Transport{Base: network, Source: hanging}, network, 0},
	} {
		t.Run(name, func(t *testing.T) {
			c := New(Config{BaseURL: base, Transport: tc.rt})
			for _, call := range []*Call{Post("grants"), Patch("grants/g1"), Get("grants/g1").Once()} {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
				_, err := c.Do(ctx, call, nil)
				cancel()
				require.Error(t, err)
				assert.ErrorIs(t, err, context.DeadlineExceeded, call.Method)
				assert.NotErrorIs(t, err, access.ErrOutcomeUnknown, "%s was never sent", call.Method)
				assert.NotErrorIs(t, err, access.ErrUnavailable, call.Method)
			}
			assert.Equal(t, tc.before, tc.network.calls(), "nothing reached the vendor")
		})
	}
}

func httptestRequest(t *testing.T) *http.Request {
	req, err := http.NewRequest(http.MethodGet, testBase+"x", nil)
	require.NoError(t, err)
	return req
}

// A POST answered 429 or 503 with Retry-After was not acted on: when the
// caller's context ends while the client waits to resend it, the call gets
// the context's error and is not of unknown outcome.
func TestContextEndsWhileWaitingOutRetryAfter(t *testing.T) {
	base, err := url.Parse(testBase)
	require.NoError(t, err)
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		h := http.Header{"Retry-After": {"5"}}
		network := always(status, h, `{}`)
		c := New(Config{BaseURL: base, Transport: network, Policy: DefaultPolicy})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err := c.Do(ctx, Post("grants"), nil)
		cancel()
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded, status)
		assert.NotErrorIs(t, err, access.ErrOutcomeUnknown, "%d said it did not act", status)
		assert.Equal(t, 1, network.calls())
	}
}
