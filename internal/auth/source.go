// Package auth holds doorkit's token plumbing: a caching token source whose
// refresh is single-flight (and, with Share, shared by every replica of an
// account through an access.TokenStore), and a transport that authorises
// each attempt and recovers once from a 401.
package auth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// FetchFunc obtains a new token. current is the token being replaced (nil on
// the first fetch), so a fetcher can use its refresh token. ctx is the
// source's own, never a caller's request context: a caller that gives up must
// not abort a refresh others are waiting for.
type FetchFunc func(ctx context.Context, current *oauth2.Token) (*oauth2.Token, error)

// Source is an oauth2.TokenSource that caches its token, refreshes it when it
// expires or is invalidated after a 401, and lets only one refresh run at a
// time: goroutines that need a token while a refresh is running wait for it
// and share its outcome. That matters for vendors whose refresh tokens are
// single-use (Havr): a second concurrent refresh would burn the new token.
//
// The fetch runs on its own goroutine with the source's own context and
// timeout, so a caller waiting in TokenContext can give up when its context
// ends while the fetch goes on for the others.
type Source struct {
	fetch    FetchFunc
	timeout  time.Duration
	onChange func(*oauth2.Token)
	clock    func() time.Time // nil: time.Now

	mu        sync.Mutex
	tok       *oauth2.Token
	installed time.Time // when tok was fetched or Set; zero after Init
	invalid   bool
	inflight  *flight
	// installs counts Set and Init: a fetch that started before one of
	// them does not install its token over theirs.
	installs uint64
	// shared is the store shared with other replicas (Share); nil for a
	// source on its own.
	shared *Shared
	// unchecked marks a token given to Init that a shared source has not
	// compared with the store yet: the store's value wins.
	unchecked bool
	// adopted is the access token a shared source last took from the
	// store rather than from the vendor ("" if none since).
	adopted string
}

type flight struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// DefaultFetchTimeout bounds one token fetch.
const DefaultFetchTimeout = 30 * time.Second

// ExpiryMargin is how long before its expiry a token is renewed, as
// oauth2.Token.Valid does, but never more than half the token's lifetime, so
// a short-lived token is used for the first half of its life instead of
// being renewed on every call.
const ExpiryMargin = 10 * time.Second

// NewSource returns a Source that obtains tokens with fetch. onChange, if
// not nil, is called with every new token (so callers can persist rotated
// refresh tokens); it runs before waiting goroutines resume and must not call
// back into the source.
func NewSource(fetch FetchFunc, timeout time.Duration, onChange func(*oauth2.Token)) *Source {
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	return &Source{fetch: fetch, timeout: timeout, onChange: onChange}
}

// SetClock makes the source read the time from now instead of time.Now, so
// a test can move a token towards its expiry without waiting. Call it
// before the source is used.
func (s *Source) SetClock(now func() time.Time) { s.clock = now }

// Now is the source's clock. A fetcher that computes an expiry from the
// moment it fetched uses it too, so both agree.
func (s *Source) Now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// Token returns the cached token or fetches a new one, waiting for the fetch
// however long it takes (up to the source's timeout). It makes Source an
// oauth2.TokenSource; requests use TokenContext.
func (s *Source) Token() (*oauth2.Token, error) {
	return s.TokenContext(context.Background())
}

// TokenContext returns the cached token or waits for a fetch, its own or one
// another goroutine started. When ctx ends first it returns ctx.Err(); the
// fetch goes on and its token serves later calls.
func (s *Source) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	if s.usable(s.Now()) {
		tok := s.tok
		s.mu.Unlock()
		return tok, nil
	}
	f := s.inflight
	if f == nil {
		if err := ctx.Err(); err != nil {
			s.mu.Unlock()
			return nil, err // do not start a fetch nobody waits for
		}
		f = &flight{done: make(chan struct{})}
		s.inflight = f
		go s.run(f, s.tok, s.invalid, s.installs)
	}
	s.mu.Unlock()
	return s.wait(ctx, f)
}

// wait blocks until f completes or ctx ends.
func (s *Source) wait(ctx context.Context, f *flight) (*oauth2.Token, error) {
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// superseded reports whether Set or Init installed a token since a fetch
// that started at installs.
func (s *Source) superseded(installs uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.installs != installs
}

// run performs the fetch of flight f and completes it. Its waiters get the
// fetched token; the source keeps it (and onChange hears of it) only if no
// Set or Init installed another meanwhile (a login, a logout, primis's
// deregistration). refused says the server rejected current.
func (s *Source) run(f *flight, current *oauth2.Token, refused bool, installs uint64) {
	// Complete the flight even if fetch or onChange panics, so waiters are
	// released with an error instead of blocking forever; the panic would
	// otherwise end the program from a goroutine no caller controls.
	adopted := false
	defer func() {
		if p := recover(); p != nil {
			f.tok, f.err = nil, fmt.Errorf("%w: %v", errFetchPanicked, p)
		}
		s.mu.Lock()
		if f.err == nil && s.installs == installs {
			s.tok, s.installed, s.invalid, s.unchecked, s.adopted = f.tok, s.Now(), false, false, ""
			if adopted {
				s.installed = time.Time{} // how long it has lived is unknown
				s.adopted = f.tok.AccessToken
			}
		}
		s.inflight = nil
		s.mu.Unlock()
		close(f.done)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	var tok *oauth2.Token
	var err error
	if s.shared != nil {
		tok, adopted, err = s.fetchShared(ctx, current, refused)
	} else {
		tok, err = s.fetch(ctx, current)
	}
	if err == nil && tok == nil {
		err = errNoToken
	}
	changed := !adopted || !sameToken(tok, current)
	if err == nil && changed && s.onChange != nil && !s.superseded(installs) {
		s.onChange(tok)
	}
	f.tok, f.err = tok, err
}

// usable reports whether the cached token may be sent. Callers hold s.mu.
//
// A token without expiry is used until the server rejects it. One with an
// expiry is renewed ExpiryMargin before it, the margin capped at half the
// lifetime it had when installed. A token that was already expired when it
// was fetched (the server's clock is behind ours) cannot be judged by its
// expiry; it too is used until the server rejects it, rather than renewed on
// every call.
func (s *Source) usable(now time.Time) bool {
	if s.tok == nil || s.invalid || s.unchecked || s.tok.AccessToken == "" {
		return false
	}
	return usableAt(s.tok, s.installed, now)
}

// usableAt applies usable's expiry rule to tok installed at installed (zero:
// unknown, as for a token given to Init or adopted from a shared store).
func usableAt(tok *oauth2.Token, installed, now time.Time) bool {
	if tok.Expiry.IsZero() {
		return true
	}
	margin := ExpiryMargin
	if !installed.IsZero() {
		life := tok.Expiry.Sub(installed)
		if life <= 0 {
			return true
		}
		margin = min(margin, life/2)
	}
	return now.Before(tok.Expiry.Add(-margin))
}

// sameToken reports whether a and b carry the same values.
func sameToken(a, b *oauth2.Token) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.AccessToken == b.AccessToken && a.RefreshToken == b.RefreshToken && a.Expiry.Equal(b.Expiry)
}

// Invalidate marks stale as rejected by the server. It is a no-op when the
// source already holds a newer token, so many requests failing with the same
// stale token cause one refresh.
func (s *Source) Invalidate(stale *oauth2.Token) {
	if stale == nil {
		return
	}
	s.mu.Lock()
	if s.tok != nil && s.tok.AccessToken == stale.AccessToken {
		s.invalid = true
	}
	s.mu.Unlock()
}

// Set installs a token obtained elsewhere (an explicit login or refresh)
// and reports it to onChange. A shared source also saves it to the store,
// over whatever is stored (the caller's explicit action wins); an error
// says the save failed, the token being installed all the same. Set(nil)
// forgets this source's token and leaves the store alone.
func (s *Source) Set(ctx context.Context, tok *oauth2.Token) error {
	s.install(tok)
	if tok == nil || s.shared == nil {
		return nil
	}
	return s.publish(ctx, tok)
}

// Publish saves tok to the shared store over whatever is stored, without
// installing it here: a vendor's word to the fleet (a device
// deregistered) rather than a token this source uses. It does nothing on a
// source that is not shared.
func (s *Source) Publish(ctx context.Context, tok *oauth2.Token) error {
	if tok == nil || s.shared == nil {
		return nil
	}
	return s.publish(ctx, tok)
}

// install makes tok the source's token and reports it to onChange.
func (s *Source) install(tok *oauth2.Token) {
	s.mu.Lock()
	s.tok, s.installed, s.invalid, s.unchecked, s.adopted = tok, s.Now(), false, false, ""
	s.installs++
	s.mu.Unlock()
	if tok != nil && s.onChange != nil {
		s.onChange(tok)
	}
}

// Init installs tokens the caller already holds (kept from an earlier
// session) without reporting them to onChange. Their expiry, if any, gets
// the full ExpiryMargin: how long they lived is unknown. A shared source
// first compares them with the store, whose value wins.
func (s *Source) Init(tok *oauth2.Token) {
	s.mu.Lock()
	s.tok, s.installed, s.invalid = tok, time.Time{}, false
	s.unchecked = tok != nil && s.shared != nil
	s.installs++
	s.mu.Unlock()
}

// Adopted reports whether tok is a token this source took from its shared
// store rather than from the vendor: it may have expired since a peer saved
// it, so a 401 to it deserves one more renewal (see Transport).
func (s *Source) Adopted(tok *oauth2.Token) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return tok != nil && tok.AccessToken != "" && tok.AccessToken == s.adopted
}

// Current returns the cached token without fetching, or nil.
func (s *Source) Current() *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok
}

type errString string

func (e errString) Error() string { return string(e) }

const (
	errNoToken       = errString("auth: token source returned no token")
	errFetchPanicked = errString("auth: token fetch panicked")
)
