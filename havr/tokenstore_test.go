package havr_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/internal/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tokenPath = "/oauth/v1/token"

// replica is a client that shares nothing with the others but the token
// store (and the fake they all call).
func replica(t testing.TB, srv *havrtest.Server, store access.TokenStore, opts ...havr.Option) *havr.Client {
	t.Helper()
	c, err := havr.New(append([]havr.Option{
		havr.WithBaseURL(srv.URL), havr.WithHTTPClient(pooledClient(srv)),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword),
		havr.WithRetry(3, time.Millisecond, 4*time.Millisecond),
		havr.WithTokenStore(store),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// Four replicas sharing a token store, 64 goroutines each, 1,000 calls per
// replica across three access-token expiries: one login, exactly three
// refreshes (one per expiry, for the whole fleet), no refresh token sent
// twice, no failed call (issue 13). Without the shared store, four
// replicas started from one persisted pair (WithTokens) sent 6 refreshes, 3
// of them with a refresh token another had spent, and 2,250 of the 4,000
// calls failed.
func TestTokenStoreFleetRefreshesOncePerExpiry(t *testing.T) {
	const (
		replicas = 4
		workers  = 64
		phases   = 4 // with an expiry between phases: three expiries
		perPhase = 250
	)
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	store := access.NewMemoryTokenStore()
	fleet := make([]*havr.Client, replicas)
	for i := range fleet {
		fleet[i] = replica(t, srv, store)
	}
	ctx := context.Background()
	var calls, failed atomic.Int32
	for phase := range phases {
		if phase > 0 {
			srv.ExpireAccessTokens()
		}
		var wg sync.WaitGroup
		for _, c := range fleet {
			wg.Go(func() {
				failed.Add(int32(runWorkers(perPhase, workers, func() error {
					calls.Add(1)
					_, _, err := c.DoorLocks.List(ctx)
					if err != nil {
						t.Log(err)
					}
					return err
				})))
			})
		}
		wg.Wait()
	}
	refreshes, reused := srv.Refreshes()
	assert.Equal(t, int32(replicas*phases*perPhase), calls.Load())
	assert.Zero(t, failed.Load(), "failed calls")
	assert.Equal(t, phases-1, refreshes, "one refresh per expiry for the fleet")
	assert.Zero(t, reused, "refresh tokens sent twice")
	assert.Equal(t, 1+phases-1, srv.Count("POST", tokenPath), "one login, then the refreshes")
}

// A replica that starts with tokens kept from an earlier session
// (WithTokens) uses the store's instead when it holds some, and reports
// them to WithTokenCallback.
func TestTokenStoreWinsOverWithTokens(t *testing.T) {
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	store := access.NewMemoryTokenStore()
	ctx := context.Background()
	first := replica(t, srv, store)
	_, _, err := first.DoorLocks.List(ctx)
	require.NoError(t, err)
	stored := first.Tokens()

	// Stale tokens: their refresh token was spent long ago.
	var reported []havr.Tokens
	second := replica(t, srv, store, havr.WithTokens("stale-access", "stale-refresh"),
		havr.WithTokenCallback(func(tok havr.Tokens) { reported = append(reported, tok) }))
	_, _, err = second.DoorLocks.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, stored, second.Tokens())
	assert.Equal(t, []havr.Tokens{stored}, reported, "the adopted pair is reported")
	assert.Equal(t, 1, srv.Count("POST", tokenPath), "no second login")
	refreshes, _ := srv.Refreshes()
	assert.Zero(t, refreshes, "the stale refresh token is never sent")
}

// A store that cannot be reached: a replica's cached token keeps opening
// doors; once a refresh is needed, calls fail with an error matching
// access.ErrUnavailable and not ErrOutcomeUnknown, and no request reaches
// Havr's token endpoint (refreshing alone could spend a refresh token a
// peer holds).
func TestTokenStoreUnreachable(t *testing.T) {
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	store := storetest.NewTokenStore(nil)
	c := replica(t, srv, store)
	ctx := context.Background()
	_, _, err := c.DoorLocks.List(ctx)
	require.NoError(t, err)

	store.SetDown(true)
	tokenRequests := srv.Count("POST", tokenPath)
	for range 10 {
		_, _, err := c.DoorLocks.List(ctx)
		require.NoError(t, err, "the cached token keeps working")
	}
	srv.ExpireAccessTokens()
	_, _, err = c.DoorLocks.List(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, storetest.ErrDown)
	assert.Equal(t, tokenRequests, srv.Count("POST", tokenPath), "nothing sent to the token endpoint")

	// A replica starting while the store is down sends nothing either.
	fresh := replica(t, srv, store)
	_, _, err = fresh.DoorLocks.List(ctx)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Equal(t, tokenRequests, srv.Count("POST", tokenPath))

	store.SetDown(false)
	_, _, err = c.DoorLocks.List(ctx)
	require.NoError(t, err, "work resumes with the store")
}

// In steady state a call costs no store round trip: the token is cached
// until it expires or is refused.
func TestTokenStoreSteadyStateCostsNoStoreCall(t *testing.T) {
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	store := storetest.NewTokenStore(nil)
	c := replica(t, srv, store)
	ctx := context.Background()
	_, _, err := c.DoorLocks.List(ctx)
	require.NoError(t, err)
	before := store.Total()
	for range 100 {
		_, _, err := c.DoorLocks.List(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, before, store.Total(), "store calls for 100 steady-state calls")
}

// An explicit Auth.RefreshToken on a replica refreshes the stored pair and
// saves the new one: a peer then adopts it instead of sending the spent
// refresh token.
func TestTokenStoreExplicitRefreshIsShared(t *testing.T) {
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	store := access.NewMemoryTokenStore()
	ctx := context.Background()
	a, b := replica(t, srv, store), replica(t, srv, store)
	_, _, err := a.DoorLocks.List(ctx)
	require.NoError(t, err)
	_, _, err = b.DoorLocks.List(ctx)
	require.NoError(t, err)
	_, _, err = a.Auth.RefreshToken(ctx)
	require.NoError(t, err)
	srv.ExpireAccessTokens()
	_, _, err = b.DoorLocks.List(ctx)
	require.NoError(t, err)
	refreshes, reused := srv.Refreshes()
	assert.Equal(t, 2, refreshes, "the explicit one, then one after the expiry")
	assert.Zero(t, reused)
}

// BenchmarkTokenStoreSteadyState compares a call with a token store against
// one without, with the token cached: the figures should match, and
// store-calls/op is 0.
func BenchmarkTokenStoreSteadyState(b *testing.B) {
	for _, bc := range []struct {
		name  string
		store bool
	}{{"own-token", false}, {"token-store", true}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := havrtest.NewServer()
			defer srv.Close()
			store := storetest.NewTokenStore(nil)
			opts := []havr.Option{havr.WithBaseURL(srv.URL), havr.WithHTTPClient(pooledClient(srv)),
				havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword)}
			if bc.store {
				opts = append(opts, havr.WithTokenStore(store))
			}
			c, err := havr.New(opts...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, _, err := c.DoorLocks.List(ctx); err != nil {
				b.Fatal(err)
			}
			before := store.Total()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, _, err := c.DoorLocks.List(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(store.Total()-before)/float64(b.N), "store-calls/op")
		})
	}
}
