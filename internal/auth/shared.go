package auth

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/doorkit/doorkit/access"
	"golang.org/x/oauth2"
)

// Shared connects a Source to a token store that every replica of one
// vendor account shares (access.TokenStore). The source still caches its
// token until it expires or a 401 invalidates it, so the steady state costs
// no store round trip; only when it has no usable token does it turn to the
// store:
//
//  1. it reads the store and adopts a usable token other than the one the
//     server just refused (a peer's, or one saved before a restart);
//  2. otherwise it takes the store's refresh lease, reads the store again,
//     and adopts a token a peer obtained meanwhile;
//  3. only otherwise does it fetch, starting from the stored token (whose
//     refresh token is the fleet's), and save the result with a compare and
//     swap on the bytes it replaced. The swap depends on the value, not on
//     the lease: a pair obtained by spending the stored single-use refresh
//     token is the only valid one and is saved even if the lease was lost
//     meanwhile. If a peer stored another token since, a usable one is
//     adopted, so the fleet keeps one.
//
// When the store cannot be read, a source that holds a token it has not
// seen refused (one given to Init) keeps using it; one that needs a new
// token fails with a StoreError before anything is sent to the vendor. It
// never fetches on its own: that could spend a single-use refresh token a
// peer holds.
type Shared struct {
	Store access.TokenStore
	// Encode turns a token into the stored bytes, the vendor's Tokens in
	// its JSON form; Decode turns them back.
	Encode func(*oauth2.Token) ([]byte, error)
	Decode func([]byte) (*oauth2.Token, error)
	// Logger, if not nil, hears of a token obtained from the vendor that
	// could not be saved (the store failed after the vendor answered).
	Logger *slog.Logger
}

// maxSwaps bounds the compare-and-swap loops of a save: each failed swap
// means a peer saved in between, which a fleet does rarely.
const maxSwaps = 8

// Share makes the source use sh. Call it before the source is first used.
func (s *Source) Share(sh Shared) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shared = &sh
	if s.tok != nil {
		s.unchecked = true
	}
}

// StoreError reports that the shared token store could not be used, so no
// token could be obtained and nothing was sent to the vendor. It matches
// access.ErrUnavailable and never access.ErrOutcomeUnknown, whatever the
// store's own error; errors.Is and errors.As reach the store's error
// otherwise.
type StoreError struct {
	Op  string // "load", "lock" or "save"
	Err error
}

func (e *StoreError) Error() string { return "token store " + e.Op + ": " + e.Err.Error() }

// Is matches access.ErrUnavailable, and what the store's error matches
// except access.ErrOutcomeUnknown.
func (e *StoreError) Is(target error) bool {
	if target == access.ErrUnavailable {
		return true
	}
	return target != access.ErrOutcomeUnknown && errors.Is(e.Err, target)
}

// As reaches the store's own errors.
func (e *StoreError) As(target any) bool { return errors.As(e.Err, target) }

// fetchShared is run's fetch when the source is shared. current is the
// token held when the flight started; refused says the server rejected it.
// adopted reports a token taken from the store (or kept) rather than
// fetched, whose remaining lifetime is not known.
func (s *Source) fetchShared(ctx context.Context, current *oauth2.Token, refused bool) (tok *oauth2.Token, adopted bool, err error) {
	sh := s.shared
	rejected := ""
	if refused && current != nil {
		rejected = current.AccessToken
	}
	adoptable := func(t *oauth2.Token) bool {
		return t != nil && t.AccessToken != "" && t.AccessToken != rejected && usableAt(t, time.Time{}, s.Now())
	}

	raw, stored, err := s.load(ctx)
	if err != nil {
		if adoptable(current) {
			return current, true, nil // a cached token keeps working through a store outage
		}
		return nil, false, err
	}
	if adoptable(stored) {
		return stored, true, nil
	}
	if stored == nil && adoptable(current) {
		// An empty store (the fleet's first start, or a store that lost its
		// data) or one whose value does not decode: share the token this
		// source holds.
		tok, _ := s.save(ctx, raw, current)
		return tok, true, nil
	}

	lease, err := sh.Store.LockRefresh(ctx)
	if err != nil {
		return nil, false, &StoreError{Op: "lock", Err: err}
	}
	defer func() { _ = lease.Release(context.WithoutCancel(ctx)) }()
	// The lease's context ends if it is lost before the fetch is sent.
	raw, stored, err = s.load(lease.Context())
	if err != nil {
		return nil, false, err
	}
	if adoptable(stored) {
		return stored, true, nil
	}
	base := stored
	if base == nil {
		base = current
	}
	if err := lease.Context().Err(); err != nil {
		return nil, false, &StoreError{Op: "lock", Err: err}
	}
	tok, err = s.fetch(ctx, base)
	if err != nil || tok == nil {
		return tok, false, err
	}
	saved, err := s.save(ctx, raw, tok)
	if err != nil && sh.Logger != nil {
		sh.Logger.Warn("token store: the new token could not be saved; other replicas keep the one it replaced",
			slog.Any("error", err))
	}
	return saved, saved != tok, nil
}

// load reads and decodes the stored token; raw is nil when none is stored.
// A value that does not decode counts as none worth adopting, but its bytes
// are kept, so a save swaps over them.
func (s *Source) load(ctx context.Context) (raw []byte, tok *oauth2.Token, err error) {
	raw, err = s.shared.Store.LoadToken(ctx)
	if err != nil {
		return nil, nil, &StoreError{Op: "load", Err: err}
	}
	if raw == nil {
		return nil, nil, nil
	}
	tok, err = s.shared.Decode(raw)
	if err != nil {
		return raw, nil, nil
	}
	return raw, tok, nil
}

// save stores tok over old, the bytes it replaces. When a peer stored
// another value meanwhile, a usable token of theirs is adopted instead (it
// is returned); an unusable one is swapped over. The token to use is
// returned even when saving failed, with the error: it is valid, and only
// this source holds it.
func (s *Source) save(ctx context.Context, old []byte, tok *oauth2.Token) (*oauth2.Token, error) {
	next, err := s.shared.Encode(tok)
	if err != nil {
		return tok, &StoreError{Op: "save", Err: err}
	}
	for range maxSwaps {
		ok, err := s.shared.Store.SwapToken(ctx, old, next)
		if err != nil {
			return tok, &StoreError{Op: "save", Err: err}
		}
		if ok {
			return tok, nil
		}
		raw, stored, err := s.load(ctx)
		if err != nil {
			return tok, err
		}
		if bytes.Equal(raw, next) {
			return tok, nil
		}
		if stored != nil && stored.AccessToken != "" && usableAt(stored, time.Time{}, s.Now()) {
			return stored, nil
		}
		old = raw
	}
	return tok, &StoreError{Op: "save", Err: errors.New("the stored token kept changing")}
}

// Exchange obtains a token with fetch, starting from the token held (an
// explicit refresh), and installs it as Set does. A shared source takes the
// store's refresh lease, starts from the stored token and saves with a
// compare and swap, as its own renewals do, so that a single-use refresh
// token is never sent twice by the fleet; a token a peer saved meanwhile
// (the lease lost) is installed instead if usable. An error after fetch
// succeeded comes with the token, which is installed: only the store
// failed.
func (s *Source) Exchange(ctx context.Context, fetch FetchFunc) (*oauth2.Token, error) {
	if s.shared == nil {
		tok, err := fetch(ctx, s.Current())
		if err != nil {
			return nil, err
		}
		s.install(tok)
		return tok, nil
	}
	lease, err := s.shared.Store.LockRefresh(ctx)
	if err != nil {
		return nil, &StoreError{Op: "lock", Err: err}
	}
	defer func() { _ = lease.Release(context.WithoutCancel(ctx)) }()
	raw, stored, err := s.load(lease.Context())
	if err != nil {
		return nil, err
	}
	base := stored
	if base == nil {
		base = s.Current()
	}
	tok, err := fetch(ctx, base)
	if err != nil {
		return nil, err
	}
	saved, err := s.save(ctx, raw, tok)
	s.install(saved)
	return tok, err
}

// publish stores tok whatever is stored (an explicit login or refresh
// replaces the fleet's token).
func (s *Source) publish(ctx context.Context, tok *oauth2.Token) error {
	next, err := s.shared.Encode(tok)
	if err != nil {
		return &StoreError{Op: "save", Err: err}
	}
	for range maxSwaps {
		raw, err := s.shared.Store.LoadToken(ctx)
		if err != nil {
			return &StoreError{Op: "load", Err: err}
		}
		ok, err := s.shared.Store.SwapToken(ctx, raw, next)
		if err != nil {
			return &StoreError{Op: "save", Err: err}
		}
		if ok {
			return nil
		}
	}
	return &StoreError{Op: "save", Err: errors.New("the stored token kept changing")}
}
