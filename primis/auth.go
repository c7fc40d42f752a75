package primis

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
	"golang.org/x/oauth2"
)

// AuthService covers registration, login, token renewal, deregistration and
// password change.
//
// The client manages tokens itself: the first call logs in with the
// credentials given to New, a rejected access token is renewed with the
// refresh token, and a rejected refresh token leads to one new login. Call
// these methods only to control that explicitly.
type AuthService service

// Tokens is a token pair. Both values print as [redacted]; use Reveal to
// store them.
type Tokens struct {
	AccessToken  access.Secret // the JWT sent as Bearer
	RefreshToken access.Secret
}

// Session is the answer to a login.
type Session struct {
	Registered bool `json:"registered"`
	IsAdmin    bool `json:"isAdmin"`
	// Email is the user's address. The document lists the field without its
	// JSON name; "email" is assumed.
	Email string `json:"email"`
	// Beacon is the beacon configuration, whose shape the document does not
	// give.
	Beacon       json.RawMessage `json:"beacon,omitempty"`
	JWT          access.Secret   `json:"jwt"`
	PhoneID      string          `json:"phone-id"`
	Status       string          `json:"status"`
	ZoneAccess   ZoneAccess      `json:"zoneAccess"`
	RefreshToken access.Secret   `json:"refreshToken"`
}

// ZoneAccess is the user's privilege on controlled area configuration. The
// document lists only 0; other values are passed through.
type ZoneAccess int

// ZoneAccessNone: no access to controlled area configuration.
const ZoneAccessNone ZoneAccess = 0

// Renewal is the answer to a token renewal.
type Renewal struct {
	JWT     access.Secret `json:"jwt"`
	Status  string        `json:"status"`
	Email   string        `json:"email"`
	PhoneID string        `json:"phone-id"`
}

// StatusResponse is the answer of deregistration and password change.
type StatusResponse struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

type phoneBody struct {
	PhoneID string `json:"phoneId"`
}

// Login registers the client's phone id with the credentials given to New
// (or logs in when it is registered already) and makes the client use the
// returned tokens.
//
// POST /api/mobile/login (Basic authentication)
func (s *AuthService) Login(ctx context.Context) (*Session, *Response, error) {
	email, password, ok := s.client.creds.get()
	if !ok {
		return nil, nil, fmt.Errorf("primis: Login needs WithCredentials: %w", access.ErrUnauthorized)
	}
	call := rest.Post("api/mobile/login").
		WithBody(phoneBody{PhoneID: s.client.phoneID}).
		WithHeader("Authorization", basicAuth(email, password))
	session, resp, err := do[*Session](ctx, s.client.anon, call)
	if err != nil {
		return nil, resp, err
	}
	s.client.tokens.Set(newToken(session.JWT.Reveal(), session.RefreshToken.Reveal()))
	return session, resp, nil
}

// LoginWithAccessToken logs in with the current access token.
//
// POST /api/mobile/access_token/login (Bearer access token)
func (s *AuthService) LoginWithAccessToken(ctx context.Context) (*Session, *Response, error) {
	call := rest.Post("api/mobile/access_token/login").WithBody(phoneBody{PhoneID: s.client.phoneID}).Idempotent()
	return do[*Session](ctx, s.client.api, call)
}

// RenewAccessToken exchanges the refresh token for a new access token and
// makes the client use it.
//
// POST /api/mobile/access_token (Bearer refresh token, body {})
func (s *AuthService) RenewAccessToken(ctx context.Context) (*Renewal, *Response, error) {
	current := s.client.tokens.Current()
	if current == nil || current.RefreshToken == "" {
		return nil, nil, fmt.Errorf("primis: no refresh token to renew with: %w", access.ErrUnauthorized)
	}
	renewal, resp, err := s.client.renew(ctx, current.RefreshToken)
	if err != nil {
		return nil, resp, err
	}
	s.client.tokens.Set(newToken(renewal.JWT.Reveal(), current.RefreshToken))
	return renewal, resp, nil
}

// Deregister removes the client's phone id from Primis, freeing its licence.
//
// DELETE /api/mobile/registration (Bearer; the server also accepts Basic)
func (s *AuthService) Deregister(ctx context.Context) (*StatusResponse, *Response, error) {
	call := rest.Delete("api/mobile/registration").WithBody(phoneBody{PhoneID: s.client.phoneID})
	return do[*StatusResponse](ctx, s.client.api, call)
}

// ChangePassword sets a new password for the mobile user. The password must
// hold a digit, a lower-case and an upper-case letter and be at least six
// characters long; a weaker one is rejected before sending. On success the
// client logs in with the new password from then on.
//
// POST /api/mobile/password (Bearer; the server also accepts Basic)
func (s *AuthService) ChangePassword(ctx context.Context, newPassword string) (*StatusResponse, *Response, error) {
	if err := ValidatePassword(newPassword); err != nil {
		return nil, nil, err
	}
	body := struct {
		NewPassword string `json:"newPassword"`
	}{newPassword}
	result, resp, err := do[*StatusResponse](ctx, s.client.api, rest.Post("api/mobile/password").WithBody(body))
	if err != nil {
		return nil, resp, err
	}
	creds := s.client.creds
	creds.mu.Lock()
	if creds.email != "" {
		creds.password = newPassword
	}
	creds.mu.Unlock()
	return result, resp, nil
}

// ValidatePassword applies Primis's password rule: at least six characters
// with a digit, a lower-case and an upper-case letter.
func ValidatePassword(p string) error {
	var digit, lower, upper bool
	for _, r := range p {
		digit = digit || unicode.IsDigit(r)
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
	}
	if len([]rune(p)) < 6 || !digit || !lower || !upper {
		return access.Invalid("newPassword", "must be at least six characters with a number, a lower-case and an upper-case letter")
	}
	return nil
}

// Tokens returns the token pair in use, or zero values before the first login.
func (c *Client) Tokens() Tokens {
	return tokensOf(c.tokens.Current())
}

// fetchToken is the token source's fetcher: renew with the refresh token;
// when that is rejected, log in again once with the stored credentials.
func (c *Client) fetchToken(ctx context.Context, current *oauth2.Token) (*oauth2.Token, error) {
	if current != nil && current.RefreshToken != "" {
		renewal, _, err := c.renew(ctx, current.RefreshToken)
		if err == nil {
			return newToken(renewal.JWT.Reveal(), current.RefreshToken), nil
		}
		if !errors.Is(err, access.ErrUnauthorized) {
			return nil, err
		}
		if _, _, ok := c.creds.get(); !ok {
			return nil, err
		}
	}
	email, password, ok := c.creds.get()
	if !ok {
		return nil, fmt.Errorf("primis: no valid token and no credentials to log in with: %w", access.ErrUnauthorized)
	}
	call := rest.Post("api/mobile/login").
		WithBody(phoneBody{PhoneID: c.phoneID}).
		WithHeader("Authorization", basicAuth(email, password))
	session, _, err := do[*Session](ctx, c.anon, call)
	if err != nil {
		return nil, err
	}
	return newToken(session.JWT.Reveal(), session.RefreshToken.Reveal()), nil
}

func (c *Client) renew(ctx context.Context, refreshToken string) (*Renewal, *Response, error) {
	call := rest.Post("api/mobile/access_token").
		WithBody(json.RawMessage(`{}`)).
		WithHeader("Authorization", "Bearer "+refreshToken)
	renewal, resp, err := do[*Renewal](ctx, c.anon, call)
	if err == nil && renewal.JWT == "" {
		return nil, resp, fmt.Errorf("primis: renewal returned no jwt (status %q)", renewal.Status)
	}
	return renewal, resp, err
}

func basicAuth(email, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+password))
}

func newToken(jwt, refresh string) *oauth2.Token {
	return &oauth2.Token{AccessToken: jwt, RefreshToken: refresh, TokenType: "Bearer", Expiry: jwtExpiry(jwt)}
}

func tokensOf(t *oauth2.Token) Tokens {
	if t == nil {
		return Tokens{}
	}
	return Tokens{AccessToken: access.Secret(t.AccessToken), RefreshToken: access.Secret(t.RefreshToken)}
}

// jwtExpiry reads the exp claim of a JWT, unverified, so the client renews
// before the server starts answering 401. Anything else yields no expiry and
// the client learns it from a 401.
func jwtExpiry(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}
	}
	secs, err := claims.Exp.Int64()
	if err != nil || secs <= 0 {
		return time.Time{}
	}
	return time.Unix(secs, 0)
}
