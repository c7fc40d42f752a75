package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// testStore wraps a TokenStore, counts its calls, and can fail them all
// with access.ErrUnavailable or run a hook before a swap.
type testStore struct {
	inner               access.TokenStore
	loads, swaps, locks atomic.Int32
	down                atomic.Bool
	beforeSwap          func() // runs once, before the first swap
	once                sync.Once
	locking             chan struct{} // if not nil, hears of each LockRefresh
}

var errStoreDown = fmt.Errorf("store down: %w", access.ErrUnavailable)

func newTestStore() *testStore { return &testStore{inner: access.NewMemoryTokenStore()} }

func (s *testStore) calls() int32 { return s.loads.Load() + s.swaps.Load() + s.locks.Load() }

func (s *testStore) LoadToken(ctx context.Context) ([]byte, error) {
	s.loads.Add(1)
	if s.down.Load() {
		return nil, errStoreDown
	}
	return s.inner.LoadToken(ctx)
}

func (s *testStore) SwapToken(ctx context.Context, old, next []byte) (bool, error) {
	s.swaps.Add(1)
	if s.down.Load() {
		return false, errStoreDown
	}
	if s.beforeSwap != nil {
		s.once.Do(s.beforeSwap)
	}
	return s.inner.SwapToken(ctx, old, next)
}

func (s *testStore) LockRefresh(ctx context.Context) (access.Lease, error) {
	s.locks.Add(1)
	if s.down.Load() {
		return nil, errStoreDown
	}
	if s.locking != nil {
		s.locking <- struct{}{}
	}
	return s.inner.LockRefresh(ctx)
}

func (s *testStore) put(t *testing.T, tok *oauth2.Token) {
	t.Helper()
	cur, err := s.inner.LoadToken(context.Background())
	require.NoError(t, err)
	ok, err := s.inner.SwapToken(context.Background(), cur, encodeTest(tok))
	require.NoError(t, err)
	require.True(t, ok)
}

func (s *testStore) stored(t *testing.T) *oauth2.Token {
	t.Helper()
	raw, err := s.inner.LoadToken(context.Background())
	require.NoError(t, err)
	if raw == nil {
		return nil
	}
	tok, err := decodeTest(raw)
	require.NoError(t, err)
	return tok
}

func encodeTest(tok *oauth2.Token) []byte {
	b, _ := json.Marshal(struct {
		A string    `json:"a"`
		R string    `json:"r"`
		E time.Time `json:"e"`
	}{tok.AccessToken, tok.RefreshToken, tok.Expiry})
	return b
}

func decodeTest(b []byte) (*oauth2.Token, error) {
	var v struct {
		A string    `json:"a"`
		R string    `json:"r"`
		E time.Time `json:"e"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: v.A, RefreshToken: v.R, Expiry: v.E}, nil
}

func shared(store access.TokenStore) Shared {
	return Shared{Store: store, Encode: func(t *oauth2.Token) ([]byte, error) { return encodeTest(t), nil }, Decode: decodeTest}
}

// fleetFetcher hands out tok-1, tok-2, ... to every source of a test, like
// one vendor, and records the refresh token each fetch started from.
type fleetFetcher struct {
	mu    sync.Mutex
	n     int
	bases []string
}

func (f *fleetFetcher) fetch(_ context.Context, current *oauth2.Token) (*oauth2.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	base := ""
	if current != nil {
		base = current.RefreshToken
	}
	f.bases = append(f.bases, base)
	return token(fmt.Sprintf("tok-%d", f.n)), nil
}

func (f *fleetFetcher) fetches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func sharedSource(fetch FetchFunc, store access.TokenStore, onChange func(*oauth2.Token)) *Source {
	s := NewSource(fetch, 0, onChange)
	s.Share(shared(store))
	return s
}

// In steady state a shared source answers from its cache: no store call.
func TestSharedSourceSteadyStateCostsNoStoreCall(t *testing.T) {
	var f fleetFetcher
	store := newTestStore()
	s := sharedSource(f.fetch, store, nil)
	_, err := s.Token()
	require.NoError(t, err)
	before := store.calls()
	for range 100 {
		_, err := s.Token()
		require.NoError(t, err)
	}
	assert.Equal(t, before, store.calls())
	assert.Equal(t, 1, f.fetches())
}

// Replicas sharing a store: the first fetches and saves, the others adopt
// its token; after the server refuses it, every replica renews and exactly
// one fetch happens, from the stored refresh token.
func TestSharedSourcesFetchOnceForTheFleet(t *testing.T) {
	var f fleetFetcher
	store := newTestStore()
	var changes atomic.Int32
	fleet := make([]*Source, 4)
	for i := range fleet {
		fleet[i] = sharedSource(f.fetch, store, func(*oauth2.Token) { changes.Add(1) })
	}
	for _, s := range fleet {
		tok, err := s.Token()
		require.NoError(t, err)
		assert.Equal(t, "tok-1", tok.AccessToken)
	}
	assert.Equal(t, 1, f.fetches())
	assert.Equal(t, int32(4), changes.Load(), "every replica reports the token it adopts")

	for round := range 3 {
		stale := fleet[0].Current()
		var wg sync.WaitGroup
		got := make([]string, len(fleet))
		for i, s := range fleet {
			wg.Go(func() {
				s.Invalidate(stale)
				tok, err := s.Token()
				if assert.NoError(t, err) {
					got[i] = tok.AccessToken
				}
			})
		}
		wg.Wait()
		want := fmt.Sprintf("tok-%d", round+2)
		assert.Equal(t, []string{want, want, want, want}, got)
		assert.Equal(t, round+2, f.fetches(), "one fetch per refusal for the whole fleet")
		assert.Equal(t, want, store.stored(t).AccessToken)
	}
	assert.Equal(t, []string{"", "refresh-tok-1", "refresh-tok-2", "refresh-tok-3"}, f.bases,
		"each fetch starts from the stored refresh token, each sent once")
}

// A replica that finds the stored token equal to the one refused takes the
// lease and reads again: a token a peer saved meanwhile is adopted, not
// fetched again.
func TestSharedSourceReadsAgainUnderTheLease(t *testing.T) {
	var f fleetFetcher
	store := newTestStore()
	store.put(t, token("old"))
	s := sharedSource(f.fetch, store, nil)
	_, err := s.Token()
	require.NoError(t, err)
	s.Invalidate(token("old"))
	loads := store.loads.Load()

	// A peer holds the lease and saves a new token before releasing it.
	lease, err := store.inner.LockRefresh(context.Background())
	require.NoError(t, err)
	store.locking = make(chan struct{})
	done := make(chan *oauth2.Token)
	go func() { tok, _ := s.Token(); done <- tok }()
	<-store.locking // the source asks for the lease the peer holds
	store.put(t, token("peer"))
	require.NoError(t, lease.Release(context.Background()))
	assert.Equal(t, "peer", (<-done).AccessToken)
	assert.Zero(t, f.fetches())
	assert.Equal(t, loads+2, store.loads.Load(), "read before and after taking the lease")
}

// WithTokens + a store: the store's value wins; an empty store takes the
// given token, and no fetch is needed.
func TestSharedSourceStoreWinsOverInit(t *testing.T) {
	var f fleetFetcher
	store := newTestStore()
	store.put(t, token("stored"))
	s := sharedSource(f.fetch, store, nil)
	s.Init(token("given"))
	tok, err := s.Token()
	require.NoError(t, err)
	assert.Equal(t, "stored", tok.AccessToken)

	empty := newTestStore()
	s = sharedSource(f.fetch, empty, nil)
	s.Init(token("given"))
	tok, err = s.Token()
	require.NoError(t, err)
	assert.Equal(t, "given", tok.AccessToken)
	assert.Equal(t, "given", empty.stored(t).AccessToken, "the given token is shared")
	assert.Zero(t, f.fetches())
}

// A store that cannot be reached: a cached token keeps working; a source
// that needs a new token fails with an error matching ErrUnavailable (not
// ErrOutcomeUnknown) and fetches nothing.
func TestSharedSourceStoreDown(t *testing.T) {
	var f fleetFetcher
	store := newTestStore()
	s := sharedSource(f.fetch, store, nil)
	tok, err := s.Token()
	require.NoError(t, err)
	store.down.Store(true)
	for range 10 {
		got, err := s.Token()
		require.NoError(t, err)
		assert.Equal(t, tok.AccessToken, got.AccessToken)
	}
	s.Invalidate(tok)
	_, err = s.Token()
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
	var se *StoreError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 1, f.fetches(), "nothing fetched once the store is down")

	// A token given to Init is used through the outage.
	given := sharedSource(f.fetch, store, nil)
	given.Init(token("given"))
	got, err := given.Token()
	require.NoError(t, err)
	assert.Equal(t, "given", got.AccessToken)
	assert.Equal(t, 1, f.fetches())
}

// The save is a compare and swap on the value replaced, not on the lease:
// a token obtained after the lease was lost is saved when nobody stored
// another; when a peer stored a usable one meanwhile, the fleet keeps the
// peer's.
func TestSharedSourceSaveComparesTheValue(t *testing.T) {
	t.Run("lease lost, nothing stored since", func(t *testing.T) {
		store := newTestStore()
		store.inner = &losingStore{TokenStore: store.inner}
		s := sharedSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
			store.inner.(*losingStore).lose()
			return token("fresh"), nil
		}, store, nil)
		tok, err := s.Token()
		require.NoError(t, err)
		assert.Equal(t, "fresh", tok.AccessToken)
		assert.Equal(t, "fresh", store.stored(t).AccessToken)
	})
	t.Run("a peer stored a usable token", func(t *testing.T) {
		store := newTestStore()
		store.beforeSwap = func() { store.put(t, token("peer")) }
		s := sharedSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) { return token("ours"), nil }, store, nil)
		tok, err := s.Token()
		require.NoError(t, err)
		assert.Equal(t, "peer", tok.AccessToken)
		assert.Equal(t, "peer", store.stored(t).AccessToken)
	})
	t.Run("a peer stored an expired token", func(t *testing.T) {
		store := newTestStore()
		expired := token("expired")
		expired.Expiry = time.Now().Add(-time.Minute)
		store.beforeSwap = func() { store.put(t, expired) }
		s := sharedSource(func(context.Context, *oauth2.Token) (*oauth2.Token, error) { return token("ours"), nil }, store, nil)
		tok, err := s.Token()
		require.NoError(t, err)
		assert.Equal(t, "ours", tok.AccessToken)
		assert.Equal(t, "ours", store.stored(t).AccessToken)
	})
}

// losingStore's leases are lost on demand, as a shared lease whose renewal
// failed.
type losingStore struct {
	access.TokenStore
	mu     sync.Mutex
	cancel context.CancelFunc
}

func (s *losingStore) LockRefresh(ctx context.Context) (access.Lease, error) {
	l, err := s.TokenStore.LockRefresh(ctx)
	if err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(l.Context())
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	return lostLease{Lease: l, ctx: lctx}, nil
}

func (s *losingStore) lose() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancel()
}

type lostLease struct {
	access.Lease
	ctx context.Context
}

func (l lostLease) Context() context.Context { return l.ctx }

// Set (an explicit login) saves to the store over whatever is there.
func TestSharedSourceSetPublishes(t *testing.T) {
	store := newTestStore()
	store.put(t, token("stored"))
	s := sharedSource((&fleetFetcher{}).fetch, store, nil)
	require.NoError(t, s.Set(context.Background(), token("explicit")))
	assert.Equal(t, "explicit", store.stored(t).AccessToken)

	store.down.Store(true)
	err := s.Set(context.Background(), token("again"))
	require.ErrorIs(t, err, access.ErrUnavailable)
	assert.Equal(t, "again", s.Current().AccessToken, "installed all the same")
}

// StoreError matches ErrUnavailable and never ErrOutcomeUnknown, even over
// a store error that does.
func TestStoreErrorClass(t *testing.T) {
	err := error(&StoreError{Op: "load", Err: fmt.Errorf("write timed out: %w", access.ErrOutcomeUnknown)})
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
	err = &StoreError{Op: "load", Err: context.DeadlineExceeded}
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, errors.Is(err, access.ErrUnavailable))
}

// A token adopted from the store may have expired since a peer saved it:
// when the server refuses it too, the transport renews once more (now from
// the vendor) instead of returning the 401. A fetched token refused is
// still returned to the caller.
func TestTransportRenewsOnceMoreAfterAnAdoptedTokenIsRefused(t *testing.T) {
	store := newTestStore()
	var f fleetFetcher
	src := sharedSource(f.fetch, store, nil)
	_, err := src.Token() // tok-1, fetched and saved
	require.NoError(t, err)
	store.put(t, token("peer-expired"))
	b := acceptOnly("tok-2")
	tr := &Transport{Base: b, Source: src}
	req, err := http.NewRequest(http.MethodGet, "https://api.example.test/v1/doors", nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	var sent []string
	for _, a := range b.attempts() {
		sent = append(sent, a.Auth)
	}
	assert.Equal(t, []string{"Bearer tok-1", "Bearer peer-expired", "Bearer tok-2"}, sent)

	// An adopted token refused, then a fetched one refused: the caller
	// gets the 401.
	store.put(t, token("stale-again"))
	peer := sharedSource(f.fetch, store, nil)
	b2 := acceptOnly("nothing")
	tr2 := &Transport{Base: b2, Source: peer}
	resp, err = tr2.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	sent = sent[:0]
	for _, a := range b2.attempts() {
		sent = append(sent, a.Auth)
	}
	assert.Equal(t, []string{"Bearer stale-again", "Bearer tok-3"}, sent)
}
