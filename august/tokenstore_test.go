package august_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/internal/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fleetFake is an August fake on a clock that moves only when the test
// says, so rotated tokens' iat claims are the test's to choose.
func fleetFake(t *testing.T) *augusttest.Server {
	t.Helper()
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv.SetClock(func() time.Time { return base })
	return srv
}

// member is one replica: a client sharing nothing with the others but the
// token store. Its callback records every token it is given.
type member struct {
	c        *august.Client
	mu       sync.Mutex
	reported []string
}

func (m *member) tokens() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.reported...)
}

func newMember(t *testing.T, srv *augusttest.Server, store access.TokenStore, opts ...august.Option) *member {
	t.Helper()
	m := &member{}
	c, err := august.New(append([]august.Option{
		august.WithBaseURL(srv.URL), august.WithAuthURL(srv.URL), august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey), august.WithRetry(0, 0, 0), august.WithTokenStore(store),
		august.WithTokenCallback(func(tok august.Tokens) {
			m.mu.Lock()
			m.reported = append(m.reported, tok.AccessToken.Reveal())
			m.mu.Unlock()
		}),
	}, opts...)...)
	require.NoError(t, err)
	m.c = c
	return m
}

func (m *member) call(t *testing.T) {
	t.Helper()
	_, _, err := m.c.Houses.List(context.Background(), nil)
	require.NoError(t, err)
}

func storedAccess(t *testing.T, store access.TokenStore) string {
	t.Helper()
	raw, err := store.LoadToken(context.Background())
	require.NoError(t, err)
	if raw == nil {
		return ""
	}
	var tok august.Tokens
	require.NoError(t, json.Unmarshal(raw, &tok))
	return tok.AccessToken.Reveal()
}

// A rotated token reaches the whole fleet: one replica saves it once it is
// TokenShareInterval newer than the stored one, and a replica that starts,
// even from older tokens of its own (WithTokens), adopts it. Ordinary calls
// in between cost no store round trip.
func TestTokenStoreRotatedTokenAdoptedFleetWide(t *testing.T) {
	srv := fleetFake(t)
	store := storetest.NewTokenStore(nil)
	first := srv.NewToken(augusttest.OwnerID)
	a := newMember(t, srv, store, august.WithTokens(first, ""))
	a.call(t)
	assert.Equal(t, first, storedAccess(t, store), "the given token is shared at start")

	before := store.Total()
	for range 20 {
		a.call(t)
	}
	assert.Equal(t, before, store.Total(), "no store call in steady state")

	srv.Advance(august.TokenShareInterval)
	a.call(t) // rotates to a token TokenShareInterval newer
	rotated := a.c.Tokens().AccessToken.Reveal()
	assert.Equal(t, rotated, storedAccess(t, store), "the rotated token is saved")

	b := newMember(t, srv, store)
	c := newMember(t, srv, store, august.WithTokens(first, ""))
	b.call(t)
	c.call(t)
	require.NotEmpty(t, b.tokens())
	require.NotEmpty(t, c.tokens())
	assert.Equal(t, rotated, b.tokens()[0], "a new replica starts from the stored token")
	assert.Equal(t, rotated, c.tokens()[0], "the stored token is newer than the one given")
	assert.Equal(t, rotated, storedAccess(t, store))
}

// The newest token by its own claims wins, not the last saved: a replica
// holding an older token does not overwrite a newer stored one, even when
// the newer one lands between its read and its swap; it adopts the newer.
func TestTokenStoreNewestByClaimsWins(t *testing.T) {
	srv := fleetFake(t)
	older := srv.NewToken(augusttest.OwnerID)
	srv.Advance(10 * time.Minute)
	newer := srv.NewToken(augusttest.OwnerID)

	t.Run("newer stored first", func(t *testing.T) {
		store := access.NewMemoryTokenStore()
		newMember(t, srv, store, august.WithTokens(newer, "")).call(t)
		late := newMember(t, srv, store, august.WithTokens(older, ""))
		late.call(t)
		assert.Equal(t, newer, storedAccess(t, store))
		assert.Equal(t, newer, late.tokens()[0], "the older replica adopts the newer token")
	})
	t.Run("newer stored between read and swap", func(t *testing.T) {
		store := storetest.NewTokenStore(nil)
		var once sync.Once
		store.OnSwap(func(_, _ []byte) {
			once.Do(func() { newMember(t, srv, store.Inner(), august.WithTokens(newer, "")).call(t) })
		})
		late := newMember(t, srv, store, august.WithTokens(older, ""))
		late.call(t)
		assert.Equal(t, newer, storedAccess(t, store))
		assert.Equal(t, newer, late.tokens()[0])
	})
	t.Run("older stored", func(t *testing.T) {
		store := access.NewMemoryTokenStore()
		raw, err := json.Marshal(august.Tokens{AccessToken: access.Secret(older)})
		require.NoError(t, err)
		_, err = store.SwapToken(context.Background(), nil, raw)
		require.NoError(t, err)
		newMember(t, srv, store, august.WithTokens(newer, "")).call(t)
		assert.Equal(t, newer, storedAccess(t, store), "a newer token replaces an older one")
	})
}

// After every token is refused, the fleet refreshes once through OAuth and
// every replica adopts the result; a replica started afterwards too.
func TestTokenStoreOneOAuthRefreshForTheFleet(t *testing.T) {
	srv := fleetFake(t)
	store := access.NewMemoryTokenStore()
	oauth := august.WithOAuth(augusttest.ClientID, augusttest.OAuthClientSecret, "https://partner.example.com/cb")
	a := newMember(t, srv, store, oauth)
	_, _, err := a.c.Auth.Exchange(context.Background(), srv.IssueAuthCode(augusttest.OwnerID))
	require.NoError(t, err)
	fleet := []*member{a, newMember(t, srv, store, oauth), newMember(t, srv, store, oauth), newMember(t, srv, store, oauth)}
	for _, m := range fleet {
		m.call(t)
	}
	srv.ExpireAccessTokens()
	srv.Advance(time.Minute) // tokens issued from now on are newer than those refused
	var failed atomic.Int32
	var wg sync.WaitGroup
	for _, m := range fleet {
		for range 8 {
			wg.Go(func() {
				if _, _, err := m.c.Houses.List(context.Background(), nil); err != nil {
					t.Log(err)
					failed.Add(1)
				}
			})
		}
	}
	wg.Wait()
	assert.Zero(t, failed.Load())
	assert.Equal(t, 2, srv.Count("POST", "/access_token"), "the code exchange, then one refresh for the fleet")
}

// A store that cannot be reached: a replica holding a token keeps using
// it; one that needs a new token after a 401, or starts without one, fails
// with an error matching ErrUnavailable (not ErrOutcomeUnknown) and sends
// nothing more: no refresh, no request without a token.
func TestTokenStoreUnreachable(t *testing.T) {
	srv := fleetFake(t)
	store := storetest.NewTokenStore(nil)
	oauth := august.WithOAuth(augusttest.ClientID, augusttest.OAuthClientSecret, "https://partner.example.com/cb")
	a := newMember(t, srv, store, oauth)
	_, _, err := a.c.Auth.Exchange(context.Background(), srv.IssueAuthCode(augusttest.OwnerID))
	require.NoError(t, err)
	a.call(t)

	store.SetDown(true)
	a.call(t) // the held token keeps working
	srv.ExpireAccessTokens()
	_, _, err = a.c.Houses.List(context.Background(), nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Count("POST", "/access_token"), "no refresh sent")

	requests := len(srv.Requests())
	fresh := newMember(t, srv, store, oauth)
	_, _, err = fresh.c.Houses.List(context.Background(), nil)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Len(t, srv.Requests(), requests, "nothing sent without a token")
}
