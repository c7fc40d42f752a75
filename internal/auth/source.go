// Package auth holds doorkit's token plumbing: a caching token source whose
// refresh is single-flight, and a transport that authorises each attempt and
// recovers once from a 401.
package auth

import (
	"context"
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
type Source struct {
	fetch    FetchFunc
	timeout  time.Duration
	onChange func(*oauth2.Token)

	mu       sync.Mutex
	tok      *oauth2.Token
	invalid  bool
	inflight *flight
}

type flight struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// DefaultFetchTimeout bounds one token fetch.
const DefaultFetchTimeout = 30 * time.Second

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

// Token returns the cached token or fetches a new one.
func (s *Source) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	if s.tok != nil && !s.invalid && s.tok.Valid() {
		tok := s.tok
		s.mu.Unlock()
		return tok, nil
	}
	if f := s.inflight; f != nil {
		s.mu.Unlock()
		<-f.done
		return f.tok, f.err
	}
	f := &flight{done: make(chan struct{})}
	s.inflight = f
	current := s.tok
	s.mu.Unlock()

	// Complete the flight even if fetch or onChange panics, so waiters are
	// released with an error instead of blocking forever.
	f.err = errFetchPanicked
	defer func() {
		s.mu.Lock()
		if f.err == nil {
			s.tok, s.invalid = f.tok, false
		}
		s.inflight = nil
		s.mu.Unlock()
		close(f.done)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	tok, err := s.fetch(ctx, current)
	if err == nil && tok == nil {
		err = errNoToken
	}
	if err == nil && s.onChange != nil {
		s.onChange(tok)
	}
	f.tok, f.err = tok, err
	return tok, err
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

// Set installs a token obtained elsewhere (an explicit login, tokens the
// caller persisted) and reports it to onChange.
func (s *Source) Set(tok *oauth2.Token) {
	s.mu.Lock()
	s.tok, s.invalid = tok, false
	s.mu.Unlock()
	if tok != nil && s.onChange != nil {
		s.onChange(tok)
	}
}

// Init installs tokens the caller already holds (kept from an earlier
// session) without reporting them to onChange.
func (s *Source) Init(tok *oauth2.Token) {
	s.mu.Lock()
	s.tok, s.invalid = tok, false
	s.mu.Unlock()
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
