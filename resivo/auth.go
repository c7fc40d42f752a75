package resivo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/auth"
	"github.com/doorkit/doorkit/internal/rest"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// AuthService covers the token endpoints.
//
// The client manages tokens itself: with WithClientCredentials it obtains an
// access token by OAuth 2.0 client credentials (POST /oauth2/token,
// form-encoded grant_type, client_id and client_secret) and reuses it until
// shortly before it expires (TokenMargin; a token without expires_in is
// taken to last AssumedTokenLifetime). With WithPassword it logs in as a user
// (POST /v8/users/login). One fetch runs at a time whatever the number of
// goroutines, and a 401 makes the client fetch a new token once and resend.
// Token requests go through the same transport as every other call, to the
// base URL's origin only, and are never redirected.
type AuthService service

// AssumedTokenLifetime is how long a token is used when the token endpoint
// does not say (no expires_in).
const AssumedTokenLifetime = 300 * time.Second

// TokenMargin is how long before its expiry a token is replaced, at most
// half its lifetime.
const TokenMargin = 60 * time.Second

// Tokens is what the client authenticates with. Like golang.org/x/oauth2's
// Token, its JSON form is its storage form and carries the tokens in clear
// (store it as you would a password); fmt and log/slog show them as
// [redacted].
type Tokens struct {
	AccessToken  access.Secret `json:"access_token"`
	RefreshToken access.Secret `json:"refresh_token,omitempty"` // user login only
	// Expiry is when the client stops using the access token (the token's
	// own expiry less TokenMargin); zero when unknown.
	Expiry time.Time `json:"expiry,omitzero"`
}

// credentials are what the token source needs to obtain tokens.
type credentials struct {
	clientID     string
	clientSecret access.Secret
	email        string
	password     access.Secret
}

// ClientCredentialsToken obtains a new access token with the client
// credentials (WithClientCredentials). The client does this itself; call it
// to test credentials. The token is not installed in the client.
//
// POST /oauth2/token
func (s *AuthService) ClientCredentialsToken(ctx context.Context) (*Tokens, error) {
	tok, err := s.client.clientCredentialsToken(ctx)
	if err != nil {
		return nil, err
	}
	t := tokensOf(tok)
	return &t, nil
}

// LoginRequest is the body of POST /v8/users/login. The path is CONFIRMED
// by the collection's own example; the field names are INFERRED from its
// environment variables (email, password).
type LoginRequest struct {
	Email    string        `json:"email"`
	Password access.Secret `json:"password"`
}

// LoginResponse is the answer of POST /v8/users/login: an access and a
// refresh token. It is INFERRED from the collection's environment variables
// resivoApiToken and resivoApiRefreshToken; the access token is read from
// "token" or "accessToken", the lifetime from "expiresIn" (seconds) when
// present.
type LoginResponse struct {
	AccessToken  access.Secret `json:"accessToken"`
	RefreshToken access.Secret `json:"refreshToken"`
	ExpiresIn    int64         `json:"expiresIn,omitempty"`
}

// UnmarshalJSON accepts the access token as "token" or "accessToken".
func (r *LoginResponse) UnmarshalJSON(b []byte) error {
	var raw struct {
		Token        access.Secret `json:"token"`
		AccessToken  access.Secret `json:"accessToken"`
		RefreshToken access.Secret `json:"refreshToken"`
		ExpiresIn    int64         `json:"expiresIn"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	r.AccessToken, r.RefreshToken, r.ExpiresIn = raw.AccessToken, raw.RefreshToken, raw.ExpiresIn
	if r.AccessToken == "" {
		r.AccessToken = raw.Token
	}
	return nil
}

// Login logs in as a resivo user and returns the token pair, without
// installing it in the client (WithPassword makes the client log in itself).
// The body and answer are INFERRED (see LoginRequest).
//
// POST /v8/users/login
func (s *AuthService) Login(ctx context.Context, req LoginRequest) (*LoginResponse, *Response, error) {
	if req.Email == "" || req.Password == "" {
		return nil, nil, access.Invalid("LoginRequest", "email and password are required")
	}
	// A login that reached resivo and whose answer was lost only costs a
	// second login, so it may be resent.
	out, resp, err := do[*LoginResponse](ctx, s.client.anon, s.client.call(routeUserLogin).WithBody(req).Idempotent())
	if err == nil && out.AccessToken == "" {
		return nil, resp, errors.New("resivo: login answer has no access token")
	}
	return out, resp, err
}

// Tokens returns the tokens in use, or zero values before the first.
func (c *Client) Tokens() Tokens { return tokensOf(c.tokens.Current()) }

// tokenFetcher obtains tokens for the client's auth.Source.
type tokenFetcher struct {
	c      *Client
	creds  *credentials // a pointer, so that fmt never prints the secrets
	cc     *clientcredentials.Config
	http   *http.Client
	nowFn  func() time.Time
	hasCCs bool
}

func (c *Client) fetcher(creds *credentials, cfg rest.Config) auth.FetchFunc {
	f := &tokenFetcher{
		c:     c,
		creds: creds,
		cc: &clientcredentials.Config{
			ClientID:     creds.clientID,
			ClientSecret: creds.clientSecret.Reveal(),
			TokenURL:     cfg.BaseURL.String() + routeToken.template,
			AuthStyle:    oauth2.AuthStyleInParams, // form-encoded body, as resivo takes it
		},
		// The token request goes through the client's own transport stack
		// (pacing, logging, the response-header bound, the caller's
		// transport), to the base URL, and follows no redirect: client
		// secrets go nowhere else.
		http: &http.Client{Transport: userAgent{cfg.Transport, cfg.UserAgent}, Timeout: cfg.Timeout,
			CheckRedirect: refuseRedirect},
		nowFn:  time.Now,
		hasCCs: creds.clientSecret != "",
	}
	c.fetch = f
	return f.fetch
}

// userAgent sets the client's User-Agent on token requests, which
// golang.org/x/oauth2 sends with Go's default.
type userAgent struct {
	base http.RoundTripper
	ua   string
}

func (u userAgent) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", u.ua)
	return u.base.RoundTrip(req)
}

func refuseRedirect(req *http.Request, _ []*http.Request) error {
	return fmt.Errorf("resivo: token endpoint redirected to %s: refused", req.URL.Redacted())
}

// fetch is the auth.FetchFunc: client credentials when configured, else a
// user login, else the token given to WithTokens stays.
func (f *tokenFetcher) fetch(ctx context.Context, current *oauth2.Token) (*oauth2.Token, error) {
	switch {
	case f.hasCCs:
		return f.clientCredentials(ctx)
	case f.creds.password != "":
		r, _, err := f.c.Auth.Login(ctx, LoginRequest{Email: f.creds.email, Password: f.creds.password})
		if err != nil {
			return nil, err
		}
		return newToken(r.AccessToken.Reveal(), r.RefreshToken.Reveal(), f.expiry(time.Duration(r.ExpiresIn)*time.Second)), nil
	case current != nil:
		// Nothing to replace a rejected token with: keep it, so the caller
		// gets resivo's own 401 answer as an *Error.
		return current, nil
	default:
		return nil, fmt.Errorf("resivo: the access token was rejected and no credentials are configured: %w", access.ErrUnauthorized)
	}
}

func (c *Client) clientCredentialsToken(ctx context.Context) (*oauth2.Token, error) {
	if !c.fetch.hasCCs {
		return nil, access.Invalid("client credentials", "none configured (WithClientCredentials)")
	}
	return c.fetch.clientCredentials(ctx)
}

func (f *tokenFetcher) clientCredentials(ctx context.Context) (*oauth2.Token, error) {
	start := f.nowFn()
	tok, err := f.cc.Token(context.WithValue(ctx, oauth2.HTTPClient, f.http))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil {
			// Read outside rest's Send: scrub the secrets sent (the
			// client secret) from the answer here.
			return nil, decodeError(re.Response, rest.ScrubAnswer(re.Response.Request, re.Body, secretFields...))
		}
		return nil, fmt.Errorf("resivo: token request: %w", err)
	}
	lifetime := time.Duration(0)
	if !tok.Expiry.IsZero() {
		lifetime = tok.Expiry.Sub(start)
	}
	return newToken(tok.AccessToken, "", f.expiry(lifetime)), nil
}

// expiry returns when a token with lifetime, fetched now, stops being
// used: AssumedTokenLifetime when unknown, less TokenMargin capped at half
// the lifetime, so a short-lived token is still used.
func (f *tokenFetcher) expiry(lifetime time.Duration) time.Time {
	if lifetime <= 0 {
		lifetime = AssumedTokenLifetime
	}
	return f.nowFn().Add(lifetime - min(TokenMargin, lifetime/2))
}

func newToken(accessToken, refreshToken string, expiry time.Time) *oauth2.Token {
	return &oauth2.Token{AccessToken: accessToken, RefreshToken: refreshToken, TokenType: "Bearer", Expiry: expiry}
}

// encodeTokens and decodeTokens convert between the source's token and the
// shared store's value, Tokens' JSON form.
func encodeTokens(t *oauth2.Token) ([]byte, error) { return json.Marshal(tokensOf(t)) }

func decodeTokens(b []byte) (*oauth2.Token, error) {
	var t Tokens
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	return newToken(t.AccessToken.Reveal(), t.RefreshToken.Reveal(), t.Expiry), nil
}

func tokensOf(t *oauth2.Token) Tokens {
	if t == nil {
		return Tokens{}
	}
	return Tokens{AccessToken: access.Secret(t.AccessToken), RefreshToken: access.Secret(t.RefreshToken), Expiry: t.Expiry}
}
