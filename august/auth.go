package august

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/auth"
	"github.com/doorkit/doorkit/internal/rest"
	"golang.org/x/oauth2"
)

// Tokens is what the client authenticates with. Like golang.org/x/oauth2's
// Token, its JSON form is its storage form and carries both tokens in clear
// (store it as you would a password); fmt and log/slog show them as
// [redacted].
type Tokens struct {
	AccessToken  access.Secret `json:"access_token"`
	RefreshToken access.Secret `json:"refresh_token,omitempty"` // empty unless the tokens came from OAuth
	// Expiry is the access token's JWT exp claim, read without verifying
	// the token; zero when the token is not a JWT.
	Expiry time.Time `json:"expiry,omitzero"`
}

// tokenStore holds the newest access token. August may return a rotated
// token in the x-august-access-token header of any response, and answers
// to concurrent requests arrive in any order, so a token replaces the
// current one only when it is newer: by its JWT iat (then exp) claims when
// both tokens carry them, otherwise by the order in which the requests that
// brought them were sent.
type tokenStore struct {
	sent atomic.Uint64 // requests sent so far; numbers each attempt

	mu         sync.Mutex
	access     string
	claims     jwtClaims
	seq        uint64 // number of the attempt that brought access; 0 for tokens given to New
	refreshTok string
	onChange   func(Tokens)
	// inflight holds the numbers of the attempts sent and not yet
	// answered: their answers may bring a newer token.
	inflight map[uint64]struct{}
	// waiting counts callers in awaitNewer; while there are any, changed
	// is closed and replaced whenever a token is installed or an attempt
	// is answered.
	waiting int
	changed chan struct{}

	refreshing chan struct{} // a one-slot semaphore: one OAuth refresh at a time
	// fetchTimeout bounds one OAuth refresh (WithTokenTimeout).
	fetchTimeout time.Duration
	// refreshFn obtains new tokens with an OAuth refresh token.
	// It is nil without WithOAuth.
	refreshFn func(ctx context.Context, refreshToken string) (*OAuthToken, error)
	// shared is the fleet's token store (WithTokenStore); nil without.
	shared *sharedTokens
}

func newTokenStore(accessToken, refreshToken string, onChange func(Tokens), fetchTimeout time.Duration) *tokenStore {
	if fetchTimeout <= 0 {
		fetchTimeout = auth.DefaultFetchTimeout
	}
	return &tokenStore{
		access: accessToken, claims: parseClaims(accessToken), refreshTok: refreshToken,
		onChange: onChange, refreshing: make(chan struct{}, 1), fetchTimeout: fetchTimeout,
		inflight: map[uint64]struct{}{}, changed: make(chan struct{}),
	}
}

// current returns the token to send and numbers the attempt, which is in
// flight until answered is called. The number is taken after the token is
// read, under the lock that installs tokens, so every attempt sent with a
// token is numbered after the attempt that brought it: the token its answer
// brings replaces the one it was sent with.
func (s *tokenStore) current() (string, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := s.sent.Add(1)
	s.inflight[seq] = struct{}{}
	return s.access, seq
}

// answered ends attempt seq, whose answer brought tok ("" for none): tok
// replaces the current token if it is newer.
func (s *tokenStore) answered(seq uint64, tok string) {
	var claims jwtClaims
	if tok != "" {
		claims = parseClaims(tok)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inflight, seq)
	if tok != "" && tok != s.access && newer(claims, seq, s.claims, s.seq) {
		s.installLocked(tok, claims, seq)
	}
	s.notifyLocked()
}

// notifyLocked wakes the callers in awaitNewer.
func (s *tokenStore) notifyLocked() {
	if s.waiting > 0 {
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

// awaitNewer waits, after stale was refused, until a newer token is
// installed or every attempt in flight now has been answered without
// bringing one. A token that died in flight has a successor on its way
// whenever an earlier request with it succeeded: that answer may simply
// not be back yet. It returns the newer token, or "".
func (s *tokenStore) awaitNewer(ctx context.Context, stale string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pending := make([]uint64, 0, len(s.inflight))
	for seq := range s.inflight {
		pending = append(pending, seq)
	}
	for {
		if s.access != stale {
			return s.access, nil
		}
		pending = slices.DeleteFunc(pending, func(seq uint64) bool {
			_, open := s.inflight[seq]
			return !open
		})
		if len(pending) == 0 {
			return "", nil
		}
		s.waiting++
		ch := s.changed
		s.mu.Unlock()
		var err error
		select {
		case <-ch:
		case <-ctx.Done():
			err = ctx.Err()
		}
		s.mu.Lock()
		s.waiting--
		if err != nil {
			return "", err
		}
	}
}

// userID returns the userId claim of the current token, or "".
func (s *tokenStore) userID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claims.UserID
}

// tokens returns a snapshot.
func (s *tokenStore) tokens() Tokens {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokensLocked()
}

func (s *tokenStore) tokensLocked() Tokens {
	return Tokens{AccessToken: access.Secret(s.access), RefreshToken: access.Secret(s.refreshTok), Expiry: s.claims.expiry()}
}

func (s *tokenStore) installLocked(tok string, claims jwtClaims, seq uint64) {
	s.access, s.claims, s.seq = tok, claims, seq
	s.notifyLocked()
	if s.onChange != nil {
		// Under the lock, so callbacks see tokens in installation order.
		s.onChange(s.tokensLocked())
	}
}

// set installs tokens from an OAuth exchange or refresh: newer than
// anything a request sent so far can bring back, unless its JWT claims
// say otherwise.
func (s *tokenStore) set(accessTok, refreshTok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if refreshTok != "" {
		s.refreshTok = refreshTok
	}
	s.installLocked(accessTok, parseClaims(accessTok), s.sent.Load())
}

// renew is called after stale was refused with a 401. It returns the token
// to resend with: a newer one another response already brought, or a peer's
// newer one in the token store (WithTokenStore); when refresh allows it, one obtained with the OAuth refresh token (one refresh
// at a time; others waiting share its outcome; viaRefresh is then true);
// else one that an answer still in flight brings (awaitNewer). fresh is ""
// when there is nothing newer. The refresh runs on its own context bounded
// by fetchTimeout, so a caller whose ctx ends returns ctx's error at once
// while the refresh goes on for the others.
func (s *tokenStore) renew(ctx context.Context, stale string, refresh bool) (fresh string, viaRefresh bool, err error) {
	s.mu.Lock()
	cur, refreshTok := s.access, s.refreshTok
	s.mu.Unlock()
	if cur != stale {
		return cur, false, nil
	}
	if s.shared != nil {
		if fresh, ok, err := s.fromStore(ctx, stale); err != nil || ok {
			return fresh, false, err
		}
		s.mu.Lock()
		refreshTok = s.refreshTok
		s.mu.Unlock()
	}
	if !refresh || refreshTok == "" || s.refreshFn == nil {
		fresh, err = s.awaitNewer(ctx, stale)
		return fresh, false, err
	}
	select {
	case s.refreshing <- struct{}{}:
	case <-ctx.Done():
		return "", false, ctx.Err()
	}
	s.mu.Lock()
	cur, refreshTok = s.access, s.refreshTok
	s.mu.Unlock()
	if cur != stale {
		<-s.refreshing
		return cur, false, nil // refreshed or rotated while we waited
	}
	type renewal struct {
		tok string
		err error
	}
	done := make(chan renewal, 1)
	go func() {
		defer func() { <-s.refreshing }()
		fetchCtx, cancel := context.WithTimeout(context.Background(), s.fetchTimeout)
		defer cancel()
		var raw []byte
		if s.shared != nil {
			// Across replicas: the store's refresh lease, then the
			// store read again, a peer's newer token adopted.
			lease, err := s.shared.store.LockRefresh(fetchCtx)
			if err != nil {
				done <- renewal{err: storeError("lock", err)}
				return
			}
			defer func() { _ = lease.Release(context.WithoutCancel(fetchCtx)) }()
			if raw, err = s.shared.store.LoadToken(lease.Context()); err != nil {
				done <- renewal{err: storeError("load", err)}
				return
			}
			if fresh, ok, _ := s.adoptNewer(raw, stale); ok {
				done <- renewal{tok: fresh}
				return
			}
			s.mu.Lock()
			refreshTok = s.refreshTok
			s.mu.Unlock()
			if err := lease.Context().Err(); err != nil {
				done <- renewal{err: storeError("lock", err)}
				return
			}
			if refreshTok == "" {
				done <- renewal{}
				return
			}
		}
		tok, err := s.refreshFn(fetchCtx, refreshTok)
		if err != nil || tok.AccessToken == "" {
			// A refused refresh token is not sent again, nor one whose
			// fate is unknown; one that never reached August (the dial
			// failed, a 503 said it did not act) is kept.
			if !neverReached(err) {
				s.mu.Lock()
				if s.refreshTok == refreshTok {
					s.refreshTok = ""
				}
				s.mu.Unlock()
			}
			done <- renewal{}
			return
		}
		s.set(tok.AccessToken.Reveal(), tok.RefreshToken.Reveal())
		if s.shared != nil {
			// Saved whether or not the lease is still held: the stored
			// value decides (newest by claims).
			if err := s.reconcile(fetchCtx, raw); err != nil && s.shared.logger != nil {
				s.shared.logger.Warn("august: the refreshed token could not be saved to the token store", slog.Any("error", err))
			}
		}
		s.mu.Lock()
		fresh := s.access
		s.mu.Unlock()
		done <- renewal{tok: fresh}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", false, r.err
		}
		if r.tok == "" || r.tok == stale {
			return "", false, nil
		}
		return r.tok, true, nil
	case <-ctx.Done():
		return "", false, ctx.Err()
	}
}

// neverReached reports a failure that proves the request did not reach
// August or was not acted on: unavailable, and not of unknown outcome.
func neverReached(err error) bool {
	return err != nil && errors.Is(err, access.ErrUnavailable) && !errors.Is(err, access.ErrOutcomeUnknown)
}

// newer reports whether a token with claims a, brought by attempt seqA,
// replaces one with claims b brought by attempt seqB.
func newer(a jwtClaims, seqA uint64, b jwtClaims, seqB uint64) bool {
	if a.ok && b.ok {
		if a.IssuedAt != b.IssuedAt {
			return a.IssuedAt > b.IssuedAt
		}
		if a.ExpiresAt != b.ExpiresAt {
			return a.ExpiresAt > b.ExpiresAt
		}
	}
	return seqA > seqB
}

// jwtClaims are the claims of an access token that order tokens. They are
// read without verifying the token: only August can, and ordering needs no
// trust.
type jwtClaims struct {
	IssuedAt  float64 `json:"iat"`
	ExpiresAt float64 `json:"exp"`
	UserID    string  `json:"userId"` // the user the token acts for
	ok        bool    // iat or exp is set
}

func (c jwtClaims) expiry() time.Time {
	if !c.ok || c.ExpiresAt <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(c.ExpiresAt), 0).UTC()
}

func parseClaims(tok string) jwtClaims {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return jwtClaims{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return jwtClaims{}
	}
	var c jwtClaims
	if json.Unmarshal(payload, &c) != nil {
		return jwtClaims{}
	}
	c.ok = c.IssuedAt != 0 || c.ExpiresAt != 0
	return c
}

// tokenTransport sends the API key and the newest access token on every
// attempt, captures the rotated token from every answer, and after a 401
// resends with a newer token (another answer's or an OAuth refresh's). A
// 401 means August did not act on the request, so resending is safe.
type tokenTransport struct {
	base   http.RoundTripper
	apiKey string
	store  *tokenStore
}

// maxTokenResends bounds the resends of one request after 401 answers.
// August may let a rotated-away token die within milliseconds while
// concurrent answers keep bringing newer ones: a request sent with a token
// that died in flight is resent with the newest one held, and again if that
// one died too, up to this many times. At most one of them follows an OAuth
// refresh.
const maxTokenResends = 8

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.store.prepare(req.Context()); err != nil {
		closeBody(req)
		return nil, err
	}
	tok, resp, err := t.attempt(req)
	if err != nil {
		return nil, err
	}
	refreshed := false
	for range maxTokenResends {
		if resp.StatusCode != http.StatusUnauthorized {
			return resp, nil
		}
		if req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
			return resp, nil // cannot resend this body
		}
		fresh, viaRefresh, err := t.store.renew(req.Context(), tok, !refreshed)
		if err != nil {
			rest.DrainAndClose(resp.Body)
			return nil, err
		}
		if fresh == "" || fresh == tok {
			return resp, nil // nothing newer: the token is refused
		}
		refreshed = refreshed || viaRefresh
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, rest.MaxErrorBody))
		_ = resp.Body.Close()
		retry := req.Clone(req.Context())
		if req.GetBody != nil {
			if retry.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
		if tok, resp, err = t.attempt(retry); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// attempt sends req with the newest token (fresh, or one newer still) and
// takes the token its answer brings.
func (t *tokenTransport) attempt(req *http.Request) (string, *http.Response, error) {
	tok, seq := t.store.current()
	resp, err := t.send(req, tok)
	rotated := ""
	if err == nil {
		rotated = resp.Header.Get(headerAccessToken)
	}
	t.store.answered(seq, rotated)
	if err == nil && t.store.shareDue() {
		t.store.shareRotated(req.Context())
	}
	return tok, resp, err
}

func (t *tokenTransport) send(req *http.Request, tok string) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Header.Set(headerAPIKey, t.apiKey)
	if tok != "" {
		out.Header.Set(headerAccessToken, tok)
	}
	return t.base.RoundTrip(out)
}

// AuthService covers how the client gets and gives up its tokens, as in
// every doorkit package: here the OAuth authorization-code flow at
// auth.august.com (August has no password login) and the session's logout.
//
// golang.org/x/oauth2 builds the authorization URL (AuthCodeURL, Config).
// It cannot send the code exchange: August's token endpoint takes a JSON
// body ({code, client_id, client_secret, grant_type}), while x/oauth2 only
// sends form bodies, so Exchange and the refresh grant go through this
// package's own HTTP client.
type AuthService service

// OAuthToken is the answer of POST /access_token. Its fields follow RFC
// 6749 (INFERRED: August publishes the request body, not the answer).
type OAuthToken struct {
	AccessToken  access.Secret `json:"access_token"`
	RefreshToken access.Secret `json:"refresh_token,omitempty"`
	TokenType    string        `json:"token_type,omitempty"`
	ExpiresIn    int64         `json:"expires_in,omitempty"`
}

// Token returns t as an *oauth2.Token.
func (t *OAuthToken) Token() *oauth2.Token {
	tok := &oauth2.Token{AccessToken: t.AccessToken.Reveal(), RefreshToken: t.RefreshToken.Reveal(), TokenType: t.TokenType}
	if t.ExpiresIn > 0 {
		tok.Expiry = time.Now().Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	return tok
}

// tokenRequest is the JSON body of POST /access_token.
type tokenRequest struct {
	GrantType    string        `json:"grant_type"`
	Code         access.Secret `json:"code,omitempty"`
	RefreshToken access.Secret `json:"refresh_token,omitempty"`
	ClientID     string        `json:"client_id"`
	ClientSecret access.Secret `json:"client_secret"`
	RedirectURI  string        `json:"redirect_uri,omitempty"`
}

// Config returns the x/oauth2 configuration of the flow (a copy), for
// callers who want its helpers (PKCE verifiers, AuthCodeURL options).
func (s *AuthService) Config() *oauth2.Config {
	c := *s.client.oauth
	return &c
}

// AuthCodeURL returns the address of August's authorization page for the
// user to visit, carrying state (check it when August redirects back).
//
// GET https://auth.august.com/authorization
func (s *AuthService) AuthCodeURL(state string, opts ...oauth2.AuthCodeOption) (string, error) {
	if s.client.oauth.ClientID == "" {
		return "", access.Invalid("client_id", "WithOAuth is required")
	}
	if state == "" {
		return "", access.Invalid("state", "is required (it protects the redirect from forgery)")
	}
	return s.client.oauth.AuthCodeURL(state, opts...), nil
}

// Exchange trades the code August sent to the redirect URL for tokens,
// installs them in the client and reports them to the token callback.
//
// POST https://auth.august.com/access_token
func (s *AuthService) Exchange(ctx context.Context, code string) (*OAuthToken, *Response, error) {
	cfg := s.client.oauth
	if cfg.ClientID == "" {
		return nil, nil, access.Invalid("client_id", "WithOAuth is required")
	}
	if code == "" {
		return nil, nil, access.Invalid("code", "is required")
	}
	body := tokenRequest{
		GrantType: "authorization_code", Code: access.Secret(code), ClientID: cfg.ClientID,
		ClientSecret: access.Secret(cfg.ClientSecret), RedirectURI: cfg.RedirectURL,
	}
	// An authorization code is valid once: never resent.
	tok, resp, err := do[*OAuthToken](ctx, s.client.oauthAPI, rest.Post(routeOAuthToken).WithBody(body).Once())
	if err != nil {
		return nil, resp, err
	}
	if tok.AccessToken == "" {
		return nil, resp, errors.New("august: token answer has no access_token")
	}
	s.client.tokens.set(tok.AccessToken.Reveal(), tok.RefreshToken.Reveal())
	return tok, resp, s.client.tokens.shareNow(ctx)
}

// Refresh exchanges the client's OAuth refresh token for new tokens and
// installs them. The client does this itself after a 401; call it to renew
// ahead of the token's expiry.
//
// POST https://auth.august.com/access_token (grant_type refresh_token; INFERRED)
func (s *AuthService) Refresh(ctx context.Context) (*OAuthToken, *Response, error) {
	refreshTok := s.client.tokens.tokens().RefreshToken.Reveal()
	if refreshTok == "" {
		return nil, nil, fmt.Errorf("august: no refresh token: %w", access.ErrUnauthorized)
	}
	tok, resp, err := s.refresh(ctx, refreshTok)
	if err != nil {
		return nil, resp, err
	}
	s.client.tokens.set(tok.AccessToken.Reveal(), tok.RefreshToken.Reveal())
	return tok, resp, s.client.tokens.shareNow(ctx)
}

func (s *AuthService) refresh(ctx context.Context, refreshTok string) (*OAuthToken, *Response, error) {
	cfg := s.client.oauth
	if cfg.ClientID == "" {
		return nil, nil, access.Invalid("client_id", "WithOAuth is required to refresh")
	}
	body := tokenRequest{
		GrantType: "refresh_token", RefreshToken: access.Secret(refreshTok), ClientID: cfg.ClientID,
		ClientSecret: access.Secret(cfg.ClientSecret),
	}
	tok, resp, err := do[*OAuthToken](ctx, s.client.oauthAPI, rest.Post(routeOAuthToken).WithBody(body).Once())
	if err == nil && tok.AccessToken == "" {
		return nil, resp, errors.New("august: token answer has no access_token")
	}
	return tok, resp, err
}

// refreshGrant is the token store's refresh function.
func (c *Client) refreshGrant(ctx context.Context, refreshTok string) (*OAuthToken, error) {
	tok, _, err := c.Auth.refresh(ctx, refreshTok)
	return tok, err
}

// Tokens returns the client's current tokens, for callers that persist
// them without a callback.
func (c *Client) Tokens() Tokens { return c.tokens.tokens() }

// RenewIfExpiring renews the access token when its JWT says it expires
// within the given time (open clients use 7 days): with the OAuth refresh
// token when the client holds one, else by a cheap call (GET
// /users/houses/mine), since August returns a fresh token with its answers.
// It reports whether the client now holds a different token. A token that
// is not a JWT, or expires later, is left alone.
func (c *Client) RenewIfExpiring(ctx context.Context, within time.Duration) (bool, error) {
	cur := c.tokens.tokens()
	if cur.Expiry.IsZero() || time.Until(cur.Expiry) > within {
		return false, nil
	}
	if cur.RefreshToken != "" && c.oauth.ClientID != "" {
		if _, _, err := c.Auth.Refresh(ctx); err != nil {
			return false, err
		}
	} else if _, _, err := c.Houses.List(ctx, nil); err != nil {
		return false, err
	}
	return c.tokens.tokens().AccessToken != cur.AccessToken, nil
}
