package havr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/auth"
	"github.com/doorkit/doorkit/internal/rest"
	"golang.org/x/oauth2"
)

// AuthService covers the OAuth endpoints: the three token grants, password
// check, ping and logout.
//
// The client manages tokens itself. Havr tokens carry no lifetime: the client
// learns that an access token expired from a 401 (or, with WithTokenLifetime,
// renews it shortly before the lifetime ends), then exchanges the refresh
// token for a new pair, one refresh at a time whatever the number of
// goroutines, because a refresh token is valid once.
//
// A refresh token is sent at most once, and a refresh request is never
// resent by the retry layer. Whatever the answer (a new pair, a refusal, a
// 500 or 503, a body that does not decode) or an ambiguous failure (the
// connection lost after the request went out, a timeout), the refresh token
// is spent; only a failure to connect keeps it. The client then falls back to
// the password or client credentials grant it was given, and otherwise
// returns an error matching access.ErrUnauthorized.
//
// An answer without a refresh_token (the document always shows one) leaves
// the client without a refresh token: its access token is used, the next
// renewal uses the configured grant, and the pair is not reported to
// WithTokenCallback, which only ever sees pairs that carry a refresh token.
type AuthService service

// Tokens is a token pair. Like golang.org/x/oauth2's Token, its JSON form
// is its storage form and carries both tokens in clear (store it as you
// would a password); fmt and log/slog show them as [redacted].
type Tokens struct {
	AccessToken  access.Secret `json:"access_token"`
	RefreshToken access.Secret `json:"refresh_token,omitempty"`
	// Expiry is when the client renews the access token ahead of Havr,
	// set only with WithTokenLifetime (Havr publishes no lifetime); zero
	// when unknown.
	Expiry time.Time `json:"expiry,omitzero"`
}

// Grant types of POST /oauth/v1/token.
const (
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// TokenRequest is the JSON body of POST /oauth/v1/token (and of
// check_passowrd). Which fields apply depends on GrantType.
type TokenRequest struct {
	ClientID        string        `json:"client_id"`
	GrantType       string        `json:"grant_type"`
	EmailOrUsername string        `json:"email_or_username,omitempty"`
	Password        access.Secret `json:"password,omitempty"`
	RefreshToken    access.Secret `json:"refresh_token,omitempty"`
	ClientSecret    access.Secret `json:"client_secret,omitempty"`
	UserAgent       string        `json:"user_agent"`
	UUID            string        `json:"uuid,omitempty"` // mobile clients only
}

func (r TokenRequest) validate() error {
	if r.ClientID == "" {
		return access.Invalid("client_id", "is required")
	}
	if r.UserAgent == "" {
		return access.Invalid("user_agent", "is required")
	}
	switch r.GrantType {
	case GrantPassword:
		if r.EmailOrUsername == "" || r.Password == "" {
			return access.Invalid("password grant", "email_or_username and password are required")
		}
	case GrantRefreshToken:
		if r.RefreshToken == "" {
			return access.Invalid("refresh_token", "is required")
		}
	case GrantClientCredentials:
		if r.ClientSecret == "" {
			return access.Invalid("client_secret", "is required")
		}
	default:
		return access.Invalid("grant_type", fmt.Sprintf("%q is not password, refresh_token or client_credentials", r.GrantType))
	}
	if r.GrantType != GrantClientCredentials && isMobileClient(r.ClientID) && r.UUID == "" {
		return access.Invalid("uuid", "is required for mobile client ids (WithDeviceUUID)")
	}
	return nil
}

func isMobileClient(id string) bool {
	return id == ClientIDMobile || id == ClientIDIOS || id == ClientIDAndroid
}

// Token is the answer of POST /oauth/v1/token.
type Token struct {
	AccessToken  access.Secret `json:"access_token"`
	RefreshToken access.Secret `json:"refresh_token"`
	UserID       ID            `json:"user_id,omitempty"` // absent on refresh
	FreshUser    bool          `json:"fresh_user"`
}

// Token requests a token pair. The client does this itself; call Token to
// obtain tokens for another program or to test credentials. The pair is not
// installed in this client.
//
// POST /oauth/v1/token
func (s *AuthService) Token(ctx context.Context, req TokenRequest) (*Token, *Response, error) {
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	api, call := s.client.anon, rest.Post("oauth/v1/token").WithBody(req)
	if req.GrantType == GrantRefreshToken {
		// A refresh token is single-use: never resend this request, not
		// even after a 429 or 503 with Retry-After.
		api, call = s.client.once, call.Once()
	}
	tok, resp, err := do[*Token](ctx, api, call)
	if err == nil && tok.AccessToken == "" {
		return nil, resp, errors.New("havr: token response has no access_token")
	}
	return tok, resp, err
}

// PasswordToken requests a token pair with the password grant for the
// client's credentials (WithPassword) and installs it in the client.
//
// POST /oauth/v1/token (grant_type password)
func (s *AuthService) PasswordToken(ctx context.Context) (*Token, *Response, error) {
	return s.grantAndInstall(ctx, s.client.creds.snapshot().passwordGrant())
}

// RefreshToken exchanges the client's refresh token for a new pair and
// installs it. The old refresh token is then spent, whatever the outcome
// (see AuthService): a second call with the same one is refused locally.
// With WithTokenStore it refreshes the stored pair under the store's
// refresh lease and saves the new one, as the client's own renewals do.
//
// POST /oauth/v1/token (grant_type refresh_token)
func (s *AuthService) RefreshToken(ctx context.Context) (*Token, *Response, error) {
	var answer *Token
	var resp *Response
	_, err := s.client.tokens.Exchange(ctx, func(ctx context.Context, current *oauth2.Token) (*oauth2.Token, error) {
		if current == nil || current.RefreshToken == "" {
			return nil, fmt.Errorf("havr: no refresh token: %w", access.ErrUnauthorized)
		}
		if !s.client.refresh.spend(current.RefreshToken) {
			return nil, fmt.Errorf("havr: the refresh token was already sent once: %w", access.ErrUnauthorized)
		}
		sent := time.Now()
		var err error
		answer, resp, err = s.Token(ctx, s.client.creds.snapshot().refreshGrant(current.RefreshToken))
		if err != nil {
			if notSent(err) {
				s.client.refresh.unspend(current.RefreshToken)
			}
			return nil, err
		}
		return s.client.tokenOf(answer, sent), nil
	})
	if answer == nil {
		return nil, resp, err
	}
	return answer, resp, savedError(err)
}

// ClientCredentialsToken requests a token pair with the client_credentials
// grant (WithClientCredentials) and installs it.
//
// POST /oauth/v1/token (grant_type client_credentials)
func (s *AuthService) ClientCredentialsToken(ctx context.Context) (*Token, *Response, error) {
	return s.grantAndInstall(ctx, s.client.creds.snapshot().clientCredentialsGrant())
}

func (s *AuthService) grantAndInstall(ctx context.Context, req TokenRequest) (*Token, *Response, error) {
	sent := time.Now()
	tok, resp, err := s.Token(ctx, req)
	if err != nil {
		return nil, resp, err
	}
	return tok, resp, savedError(s.client.tokens.Set(ctx, s.client.tokenOf(tok, sent)))
}

// savedError explains a failure to save tokens that are installed all the
// same (WithTokenStore).
func savedError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("havr: the new tokens are in use but were not shared through the token store: %w", err)
}

// PasswordCheck is the answer of check_passowrd.
type PasswordCheck struct {
	CorrectPassword bool `json:"correct_password"`
}

// CheckPassword reports whether password is the current password of the
// client's user (WithPassword's email or username). Havr spells the path
// "check_passowrd".
//
// POST /oauth/v1/check_passowrd
func (s *AuthService) CheckPassword(ctx context.Context, password string) (*PasswordCheck, *Response, error) {
	creds := s.client.creds.snapshot()
	creds.password = password
	req := creds.passwordGrant()
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	return do[*PasswordCheck](ctx, s.client.api, rest.Post("oauth/v1/check_passowrd").WithBody(req).Idempotent())
}

// Ping checks that the client's access token is valid. It sends the token
// the client holds as is, without renewing it first or after a 401, so an
// invalid token is reported as an error matching access.ErrUnauthorized
// (and the next ordinary call renews it). A client that holds no access
// token yet obtains one first, as any call would.
//
// GET /oauth/v1/ping
func (s *AuthService) Ping(ctx context.Context) (*Response, error) {
	if tok := s.client.tokens.Current(); tok == nil || tok.AccessToken == "" {
		if _, err := s.client.tokens.TokenContext(ctx); err != nil {
			return nil, err
		}
	}
	return send(auth.WithoutRefresh(ctx), s.client.api, rest.Get("oauth/v1/ping"))
}

// Logout invalidates the access token on the server and forgets the
// client's tokens; a later call obtains new ones from the credentials.
//
// GET /oauth/v1/logout
func (s *AuthService) Logout(ctx context.Context) (*Response, error) {
	resp, err := send(ctx, s.client.api, rest.Get("oauth/v1/logout"))
	if err == nil {
		_ = s.client.tokens.Set(ctx, nil) // never fails: nil is not saved
	}
	return resp, err
}

// Tokens returns the token pair in use, or zero values before the first.
func (c *Client) Tokens() Tokens { return tokensOf(c.tokens.Current()) }

func (c login) base(grant string) TokenRequest {
	return TokenRequest{ClientID: c.clientID, GrantType: grant, UserAgent: c.userAgent, UUID: c.uuid}
}

func (c login) passwordGrant() TokenRequest {
	r := c.base(GrantPassword)
	r.EmailOrUsername, r.Password = c.emailOrUsername, access.Secret(c.password)
	return r
}

func (c login) refreshGrant(refreshToken string) TokenRequest {
	r := c.base(GrantRefreshToken)
	r.RefreshToken = access.Secret(refreshToken)
	return r
}

func (c login) clientCredentialsGrant() TokenRequest {
	r := c.base(GrantClientCredentials)
	r.ClientSecret, r.UUID = access.Secret(c.clientSecret), ""
	return r
}

// fetchToken is the token source's fetcher: refresh when there is a refresh
// token not yet sent; when the refresh fails in any way but a failure to
// connect (or there is no refresh token), use the password or client
// credentials grant once.
func (c *Client) fetchToken(ctx context.Context, current *oauth2.Token) (*oauth2.Token, error) {
	creds := c.creds.snapshot()
	var refreshErr error
	if current != nil && current.RefreshToken != "" {
		if !c.refresh.spend(current.RefreshToken) {
			refreshErr = errors.New("havr: the refresh token was already sent once")
		} else {
			sent := time.Now()
			tok, _, err := c.Auth.Token(ctx, creds.refreshGrant(current.RefreshToken))
			if err == nil {
				return c.tokenOf(tok, sent), nil
			}
			if notSent(err) {
				c.refresh.unspend(current.RefreshToken)
				return nil, err
			}
			refreshErr = err
		}
	}
	var req TokenRequest
	switch {
	case creds.password != "":
		req = creds.passwordGrant()
	case creds.clientSecret != "":
		req = creds.clientCredentialsGrant()
	case refreshErr != nil:
		return nil, fmt.Errorf("havr: refresh failed and no credentials to log in again: %w: %w", access.ErrUnauthorized, refreshErr)
	default:
		return nil, fmt.Errorf("havr: no valid token and no credentials: %w", access.ErrUnauthorized)
	}
	sent := time.Now()
	tok, _, err := c.Auth.Token(ctx, req)
	if err != nil {
		return nil, err
	}
	return c.tokenOf(tok, sent), nil
}

// notSent reports a failure that proves the request never reached Havr: it
// was refused locally, or the connection could not be made (rest classes
// a dial, DNS or TLS failure before anything was written as unavailable
// and not of unknown outcome). An answer from Havr is never one.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, new(*Error)) {
		return false
	}
	return errors.Is(err, access.ErrInvalid) || errors.As(err, &op) && op.Op == "dial" ||
		errors.Is(err, access.ErrUnavailable) && !errors.Is(err, access.ErrOutcomeUnknown)
}

// spentTokens remembers the refresh token last sent, so that it is never
// sent again. The source holds one refresh token at a time, so one is enough.
type spentTokens struct {
	mu   sync.Mutex
	last string
}

// spend reports whether token may be sent, and marks it sent.
func (s *spentTokens) spend(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == token {
		return false
	}
	s.last = token
	return true
}

// unspend forgets that token was sent, after a failure proving it was not.
func (s *spentTokens) unspend(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == token {
		s.last = ""
	}
}

// tokenOf is the source's token for an answer to a request sent at sent,
// expiring after WithTokenLifetime when it is set.
func (c *Client) tokenOf(tok *Token, sent time.Time) *oauth2.Token {
	t := newToken(tok.AccessToken.Reveal(), tok.RefreshToken.Reveal())
	if c.tokenLifetime > 0 {
		t.Expiry = sent.Add(c.tokenLifetime)
	}
	return t
}

func newToken(accessToken, refreshToken string) *oauth2.Token {
	return &oauth2.Token{AccessToken: accessToken, RefreshToken: refreshToken, TokenType: "Bearer"}
}

// encodeTokens and decodeTokens convert between the source's token and the
// shared store's value, Tokens' JSON form.
func encodeTokens(t *oauth2.Token) ([]byte, error) { return json.Marshal(tokensOf(t)) }

func decodeTokens(b []byte) (*oauth2.Token, error) {
	var t Tokens
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	tok := newToken(t.AccessToken.Reveal(), t.RefreshToken.Reveal())
	tok.Expiry = t.Expiry
	return tok, nil
}

func tokensOf(t *oauth2.Token) Tokens {
	if t == nil {
		return Tokens{}
	}
	return Tokens{AccessToken: access.Secret(t.AccessToken), RefreshToken: access.Secret(t.RefreshToken), Expiry: t.Expiry}
}
