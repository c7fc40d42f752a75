package resivo_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/storetest"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replica is a client that shares nothing with the others but the token
// store (and the fake they all call).
func replica(t *testing.T, srv *resivotest.Server, store access.TokenStore) *resivo.Client {
	t.Helper()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(&http.Client{Transport: tr}),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret),
		resivo.WithSites(resivotest.SiteID), resivo.WithRetry(3, time.Millisecond, 4*time.Millisecond),
		resivo.WithTokenStore(store))
	require.NoError(t, err)
	return c
}

func fleetCalls(t *testing.T, fleet []*resivo.Client, workers, calls int) int32 {
	t.Helper()
	return storetest.FleetCalls(t, fleet, workers, calls, func(c *resivo.Client) error {
		_, err := c.ListDoors(context.Background())
		return err
	})
}

// Four replicas sharing a token store fetch one token for the fleet, and
// one more after resivo refuses it (issue 13).
func TestTokenStoreOneTokenFetchForTheFleet(t *testing.T) {
	srv := resivotest.NewServer()
	t.Cleanup(srv.Close)
	store := access.NewMemoryTokenStore()
	fleet := make([]*resivo.Client, 4)
	for i := range fleet {
		fleet[i] = replica(t, srv, store)
	}
	assert.Zero(t, fleetCalls(t, fleet, 16, 5))
	assert.Equal(t, 1, srv.TokensIssued(), "one token for the fleet")
	srv.ExpireAccessTokens()
	assert.Zero(t, fleetCalls(t, fleet, 16, 5))
	assert.Equal(t, 2, srv.TokensIssued(), "one more after the expiry")
}

// A store that cannot be reached: the cached token keeps working; a new
// token needed fails with an error matching ErrUnavailable (not
// ErrOutcomeUnknown) and nothing is sent to the token endpoint.
func TestTokenStoreUnreachable(t *testing.T) {
	srv := resivotest.NewServer()
	t.Cleanup(srv.Close)
	store := storetest.NewTokenStore(nil)
	c := replica(t, srv, store)
	ctx := context.Background()
	_, err := c.ListDoors(ctx)
	require.NoError(t, err)
	store.SetDown(true)
	_, err = c.ListDoors(ctx)
	require.NoError(t, err, "the cached token keeps working")
	srv.ExpireAccessTokens()
	_, err = c.ListDoors(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.TokensIssued(), "nothing sent to the token endpoint")
}
