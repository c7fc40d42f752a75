package primis_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/storetest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	loginPath   = "/api/mobile/login"
	renewalPath = "/api/mobile/access_token"
	fleetPhone  = "phone-fleet"
)

// pooled is srv's client with a pool sized for the tests' 64 goroutines,
// so they measure tokens, not TLS handshakes.
func pooled(srv *primistest.Server) primis.Option {
	t := srv.Client().Transport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return primis.WithHTTPClient(&http.Client{Transport: t})
}

// fleetCalls makes calls ListDoors calls from workers goroutines on each
// client at once and returns how many failed.
func fleetCalls(t *testing.T, fleet []*primis.Client, workers, calls int) int32 {
	t.Helper()
	return storetest.FleetCalls(t, fleet, workers, calls, func(c *primis.Client) error {
		_, err := c.ListDoors(context.Background())
		return err
	})
}

// Four replicas of one Primis account sharing a token store log in once,
// so the fleet holds one registration (one licence), and renew once per
// expiry (issue 13). Without the store each replica logs in itself.
func TestTokenStoreOneLoginForTheFleet(t *testing.T) {
	srv := primistest.NewServer()
	t.Cleanup(srv.Close)
	store := access.NewMemoryTokenStore()
	fleet := make([]*primis.Client, 4)
	for i := range fleet {
		fleet[i] = clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, fleetPhone, primis.WithTokenStore(store), pooled(srv))
	}
	assert.Zero(t, fleetCalls(t, fleet, 16, 5))
	assert.Equal(t, 1, srv.Count("POST", loginPath), "one login for the fleet")
	assert.Equal(t, map[string]string{fleetPhone: primistest.UserEmail}, srv.Phones())

	srv.ExpireAccessTokens()
	assert.Zero(t, fleetCalls(t, fleet, 16, 5))
	assert.Equal(t, 1, srv.Count("POST", renewalPath), "one renewal for the fleet")
	assert.Equal(t, 1, srv.Count("POST", loginPath))

	// Without the store: a login per replica.
	other := primistest.NewServer()
	t.Cleanup(other.Close)
	for i := range fleet {
		fleet[i] = clientFor(t, other, primistest.UserEmail, primistest.UserPassword, fleetPhone, pooled(other))
	}
	assert.Zero(t, fleetCalls(t, fleet, 16, 5))
	assert.Equal(t, 4, other.Count("POST", loginPath))
}

// A store that cannot be reached: the cached token keeps working; a
// renewal needed fails with an error matching ErrUnavailable (not
// ErrOutcomeUnknown) and nothing is sent to the login or renewal
// endpoints.
func TestTokenStoreUnreachable(t *testing.T) {
	srv := primistest.NewServer()
	t.Cleanup(srv.Close)
	store := storetest.NewTokenStore(nil)
	c := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, fleetPhone, primis.WithTokenStore(store))
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
	assert.Equal(t, 1, srv.Count("POST", loginPath))
	assert.Zero(t, srv.Count("POST", renewalPath))
}

// An explicit login is shared: a replica started afterwards adopts it.
func TestTokenStoreExplicitLoginIsShared(t *testing.T) {
	srv := primistest.NewServer()
	t.Cleanup(srv.Close)
	store := access.NewMemoryTokenStore()
	a := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, fleetPhone, primis.WithTokenStore(store))
	_, _, err := a.Auth.Login(context.Background())
	require.NoError(t, err)
	b := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, fleetPhone, primis.WithTokenStore(store))
	_, err = b.ListDoors(context.Background())
	require.NoError(t, err)
	assert.Equal(t, a.Tokens(), b.Tokens())
	assert.Equal(t, 1, srv.Count("POST", loginPath))
}

// A replica's Deregister reaches the replicas sharing its token store: when
// their token is refused they answer ErrDeregistered instead of logging in
// again, which would register the device (take a licence) behind the
// caller's back. A Login on any replica registers the fleet again.
func TestTokenStoreDeregisterReachesTheFleet(t *testing.T) {
	srv := primistest.NewServer()
	t.Cleanup(srv.Close)
	store := access.NewMemoryTokenStore()
	a := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, fleetPhone, primis.WithTokenStore(store))
	b := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, fleetPhone, primis.WithTokenStore(store))
	ctx := context.Background()
	_, err := a.ListDoors(ctx)
	require.NoError(t, err)
	_, err = b.ListDoors(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, srv.Count("POST", loginPath))

	_, _, err = a.Auth.Deregister(ctx)
	require.NoError(t, err)
	assert.Empty(t, srv.Phones())

	srv.ExpireAccessTokens()
	_, err = b.ListDoors(ctx)
	assert.ErrorIs(t, err, primis.ErrDeregistered)
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	_, err = a.ListDoors(ctx)
	assert.ErrorIs(t, err, primis.ErrDeregistered)
	assert.Equal(t, 1, srv.Count("POST", loginPath), "no replica logged in again")
	assert.Empty(t, srv.Phones(), "the device stays deregistered")

	_, _, err = a.Auth.Login(ctx)
	require.NoError(t, err)
	_, err = b.ListDoors(ctx)
	require.NoError(t, err, "b adopts the fleet's new registration")
	assert.Equal(t, 2, srv.Count("POST", loginPath))
}
