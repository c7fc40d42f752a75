package august

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/auth"
)

// TokenShareInterval is how much newer (by its iat claim) a rotated access
// token must be than the one a client last saw in its token store
// (WithTokenStore) before the client saves it there. August rotates the
// token on every answer; saving each would cost a store round trip per
// call, while a stored token a few minutes old is still one a replica that
// needs a token can start from. The store is read when a client starts and
// after a 401; it is never read or written on an ordinary call otherwise.
const TokenShareInterval = 5 * time.Minute

// maxSwaps bounds a save's compare-and-swap loop: each failed swap means a
// peer saved in between.
const maxSwaps = 8

// sharedTokens is the fleet's side of a tokenStore (WithTokenStore).
type sharedTokens struct {
	store  access.TokenStore
	logger *slog.Logger

	mu      sync.Mutex  // one start-up read at a time
	ready   atomic.Bool // the store was read at start, or could not be with a token in hand
	sharing atomic.Bool // a rotated token is being saved
	// sharedIat is the iat of the newest token this client saw in the
	// store or saved there. tokenStore.mu guards it.
	sharedIat float64
}

// storeError wraps a failure of the token store as the auth transport's
// failures are wrapped: it matches access.ErrUnavailable, never
// ErrOutcomeUnknown, and tells rest the request was not sent (again).
func storeError(op string, err error) error {
	return &auth.TokenError{Err: &auth.StoreError{Op: op, Err: err}}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

func encodeTokens(t Tokens) []byte {
	b, _ := json.Marshal(t) // a struct of strings and a time: cannot fail
	return b
}

// decodeTokens returns the stored tokens; ok is false when nothing usable
// is stored.
func decodeTokens(raw []byte) (Tokens, bool) {
	var t Tokens
	if raw == nil || json.Unmarshal(raw, &t) != nil || t.AccessToken == "" {
		return Tokens{}, false
	}
	return t, true
}

// storedWins reports whether a stored access token replaces the held one:
// unless the held one is newer by the tokens' own claims, the store wins
// (claims that are equal or missing cannot say which is newer). An empty
// held token always loses.
func storedWins(stored, held string) bool {
	if stored == held {
		return false
	}
	return !newerClaims(parseClaims(held), parseClaims(stored))
}

// newerClaims reports whether a is newer than b by iat, then exp; false
// when either token carries no claims.
func newerClaims(a, b jwtClaims) bool {
	return a.ok && b.ok && newer(a, 0, b, 0)
}

// prepare reads the store once, before the client's first request: the
// newer of the stored token and the one the client was given is used by
// the client and kept in the store. Without a token in hand, a store that
// cannot be read fails the request before it is sent.
func (s *tokenStore) prepare(ctx context.Context) error {
	sh := s.shared
	if sh == nil || sh.ready.Load() {
		return nil
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.ready.Load() {
		return nil
	}
	raw, err := sh.store.LoadToken(ctx)
	if err != nil {
		if s.tokens().AccessToken != "" {
			sh.ready.Store(true) // a token in hand keeps working through the outage
			return nil
		}
		return storeError("load", err)
	}
	if err := s.reconcile(ctx, raw); err != nil {
		return err
	}
	sh.ready.Store(true)
	return nil
}

// reconcile makes the client and the store agree on the newest token, raw
// being what the store held when last read: the client adopts a newer
// stored token, and saves its own over an older one with a compare and
// swap, reading again when a peer saved in between. The newest by the
// tokens' claims wins, not the last to arrive.
func (s *tokenStore) reconcile(ctx context.Context, raw []byte) error {
	sh := s.shared
	for range maxSwaps {
		stored, ok := decodeTokens(raw)
		held := s.tokens()
		if ok && storedWins(stored.AccessToken.Reveal(), held.AccessToken.Reveal()) {
			s.adopt(stored)
			return nil
		}
		if held.AccessToken == "" || ok && stored == held {
			return nil
		}
		swapped, err := sh.store.SwapToken(ctx, raw, encodeTokens(held))
		if err != nil {
			return storeError("save", err)
		}
		if swapped {
			s.markShared(held.AccessToken.Reveal())
			return nil
		}
		if raw, err = sh.store.LoadToken(ctx); err != nil {
			return storeError("load", err)
		}
	}
	return storeError("save", errors.New("the stored token kept changing"))
}

// adopt installs stored tokens when their access token is newer than the
// one held (the claims again, under the lock: an answer may have brought a
// newer one meanwhile), and the stored refresh token with it.
func (s *tokenStore) adopt(stored Tokens) {
	tok := stored.AccessToken.Reveal()
	claims := parseClaims(tok)
	s.mu.Lock()
	defer s.mu.Unlock()
	if claims.ok {
		s.shared.sharedIat = max(s.shared.sharedIat, claims.IssuedAt)
	}
	if tok == s.access || s.access != "" && newerClaims(s.claims, claims) {
		return
	}
	if stored.RefreshToken != "" {
		s.refreshTok = stored.RefreshToken.Reveal()
	}
	s.installLocked(tok, claims, s.sent.Load())
}

// markShared records that tok is in the store.
func (s *tokenStore) markShared(tok string) {
	if claims := parseClaims(tok); claims.ok {
		s.mu.Lock()
		s.shared.sharedIat = max(s.shared.sharedIat, claims.IssuedAt)
		s.mu.Unlock()
	}
}

// shareDue reports whether the held token is TokenShareInterval newer than
// the newest this client saw in the store.
func (s *tokenStore) shareDue() bool {
	if s.shared == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claims.ok && s.claims.IssuedAt >= s.shared.sharedIat+TokenShareInterval.Seconds()
}

// shareRotated saves the held token to the store (see reconcile), one save
// at a time, on its own context bounded by the fetch timeout. A failure is
// logged: the client keeps its token and tries again after the next
// interval.
func (s *tokenStore) shareRotated(ctx context.Context) {
	sh := s.shared
	if !sh.sharing.CompareAndSwap(false, true) {
		return
	}
	defer sh.sharing.Store(false)
	s.markShared(s.tokens().AccessToken.Reveal()) // tried: not again before the next interval
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.fetchTimeout)
	defer cancel()
	raw, err := sh.store.LoadToken(ctx)
	if err == nil {
		err = s.reconcile(ctx, raw)
	}
	if err != nil && sh.logger != nil {
		sh.logger.Warn("august: the rotated access token could not be saved to the token store", slog.Any("error", err))
	}
}

// fromStore is renew's first step with a store: after stale was refused, a
// stored token newer than it (a peer's) is adopted and returned.
func (s *tokenStore) fromStore(ctx context.Context, stale string) (string, bool, error) {
	raw, err := s.shared.store.LoadToken(ctx)
	if err != nil {
		return "", false, storeError("load", err)
	}
	return s.adoptNewer(raw, stale)
}

// adoptNewer adopts the stored token in raw if it is newer than stale, the
// token August refused, and returns the token the client now holds if that
// differs from stale. Newer is strict here: a stored token no newer by its
// claims than one refused is presumably refused too. Tokens without claims
// cannot be compared, and a stored one other than stale is tried.
func (s *tokenStore) adoptNewer(raw []byte, stale string) (string, bool, error) {
	if stored, ok := decodeTokens(raw); ok && stored.AccessToken.Reveal() != stale {
		a, b := parseClaims(stored.AccessToken.Reveal()), parseClaims(stale)
		if !a.ok || !b.ok || newerClaims(a, b) {
			s.adopt(stored)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access, s.access != stale, nil
}

// shareNow saves the held tokens (an explicit OAuth exchange or refresh)
// unless the store holds newer ones, which are adopted. An error says only
// the save failed: the tokens are installed.
func (s *tokenStore) shareNow(ctx context.Context) error {
	if s.shared == nil {
		return nil
	}
	raw, err := s.shared.store.LoadToken(ctx)
	if err == nil {
		err = s.reconcile(ctx, raw)
	}
	if err != nil {
		return fmt.Errorf("august: the new tokens are in use but were not shared through the token store: %w", err)
	}
	return nil
}
