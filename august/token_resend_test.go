package august

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A token can die while its request is in flight, and so can the newer
// one it is resent with, while concurrent answers keep bringing newer
// tokens: each 401 to a request sent with a token older than the newest
// held is resent with the newest.
func TestUnauthorizedResendsWhileNewerTokensArrive(t *testing.T) {
	var c *Client
	var mu sync.Mutex
	var sent []string
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		tok := req.Header.Get("x-august-access-token")
		mu.Lock()
		sent = append(sent, tok)
		n := len(sent)
		mu.Unlock()
		if tok == "token-3" {
			return jsonResponse(req, 200, `[]`), nil
		}
		// Another request's answer brings a newer token while this one
		// is refused.
		rotate(c, fmt.Sprintf("token-%d", n))
		return jsonResponse(req, 401, `{"code":"Unauthorized","message":"token expired"}`), nil
	})
	c = newTestClient(t, rt)
	_, _, err := c.Houses.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{testToken, "token-1", "token-2", "token-3"}, sent)
}

// The resends are bounded: tokens that keep dying end the call with the
// 401 after 1 resends, and a refused token with nothing
// newer is not resent at all.
func TestUnauthorizedResendsAreBounded(t *testing.T) {
	var c *Client
	calls := 0
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		calls++
		rotate(c, fmt.Sprintf("token-%d", calls))
		return jsonResponse(req, 401, `{"code":"Unauthorized","message":"token expired"}`), nil
	})
	c = newTestClient(t, rt)
	_, _, err := c.Houses.List(context.Background(), nil)
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	assert.Equal(t, 1+maxTokenResends, calls)
}

// rotate installs tok as another request's answer would.
func rotate(c *Client, tok string) {
	_, seq := c.tokens.current()
	c.tokens.answered(seq, tok)
}

// A token can die before the answer carrying its successor is back: the
// refused request waits for the answers in flight, then resends with the
// token one of them brought.
func TestUnauthorizedWaitsForTheAnswerInFlight(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		switch tok := req.Header.Get("x-august-access-token"); {
		case req.URL.Query().Get("clientSerial") == "slow":
			close(arrived)
			<-release
			return withToken(jsonResponse(req, 200, `[]`), "successor"), nil
		case tok == "successor":
			return jsonResponse(req, 200, `[]`), nil
		default:
			return jsonResponse(req, 401, `{"code":"Unauthorized","message":"token expired"}`), nil
		}
	})
	c := newTestClient(t, rt)
	ctx := context.Background()
	slow := make(chan error, 1)
	go func() {
		_, _, err := c.Houses.List(ctx, &HouseListOptions{ClientSerial: "slow"})
		slow <- err
	}()
	<-arrived
	refused := make(chan error, 1)
	go func() {
		_, _, err := c.Houses.List(ctx, nil)
		refused <- err
	}()
	// Release the slow answer once the refused call waits for it (or has
	// given up, as it did before).
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for waiting := false; !waiting; {
		select {
		case err := <-refused:
			t.Fatalf("the refused call ended before the answer in flight came back: %v", err)
		case <-tick.C:
			c.tokens.mu.Lock()
			waiting = c.tokens.waiting > 0
			c.tokens.mu.Unlock()
		}
	}
	close(release)
	require.NoError(t, <-slow)
	require.NoError(t, <-refused)
	assert.Equal(t, "successor", c.Tokens().AccessToken.Reveal())
}
