package primis

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/auth"
	"github.com/doorkit/doorkit/internal/redact"
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

// Tokens is a token pair. Like golang.org/x/oauth2's Token, its JSON form
// is its storage form and carries both tokens in clear (store it as you
// would a password); fmt and log/slog show them as [redacted]. Log a Tokens
// value itself: slog's JSON handler encodes a slice or map of them with
// encoding/json.
type Tokens struct {
	AccessToken  access.Secret `json:"access_token"` // the JWT sent as Bearer
	RefreshToken access.Secret `json:"refresh_token,omitempty"`
}

// LogValue keeps slog's JSON handler, which would encode the struct with
// encoding/json and see the real values, from logging the tokens.
func (t Tokens) LogValue() slog.Value { return redact.LogValue(t) }

// Format keeps every fmt verb from printing the tokens.
func (t Tokens) Format(f fmt.State, verb rune) { redact.Format(f, verb, t) }

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

// MarshalJSON encodes the session with its tokens redacted (see
// Tokens.MarshalJSON); decoding is unaffected.
func (s Session) MarshalJSON() ([]byte, error) {
	type plain Session
	return json.Marshal(plain(redact.Redacted(s)))
}

// LogValue logs the session with its tokens redacted (fmt already redacts
// them field by field).
func (s Session) LogValue() slog.Value { return redact.LogValue(s) }

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

// MarshalJSON encodes the renewal with its token redacted.
func (r Renewal) MarshalJSON() ([]byte, error) {
	type plain Renewal
	return json.Marshal(plain(redact.Redacted(r)))
}

// LogValue logs the renewal with its token redacted.
func (r Renewal) LogValue() slog.Value { return redact.LogValue(r) }

// savedError explains a failure to save tokens that are installed all the
// same (WithTokenStore).
func savedError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("primis: the new tokens are in use but were not shared through the token store: %w", err)
}

// ErrDeregistered is returned by every call after Auth.Deregister succeeded,
// until Auth.Login registers the device again: the client does not take a
// new licence behind the caller's back. It matches access.ErrUnauthorized.
var ErrDeregistered error = deregisteredError{}

type deregisteredError struct{}

func (deregisteredError) Error() string {
	return "primis: the device is deregistered; call Auth.Login to register it again"
}

func (deregisteredError) Is(target error) bool { return target == access.ErrUnauthorized }

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
// returned tokens. It is also how a client registers again after
// Deregister. An answer whose status is not "ok" or without a jwt is an
// error matching access.ErrUnauthorized.
//
// POST /api/mobile/login (Basic authentication)
func (s *AuthService) Login(ctx context.Context) (*Session, *Response, error) {
	session, resp, err := s.client.login(ctx)
	if err != nil {
		return nil, resp, err
	}
	s.client.deregistered.Store(false)
	err = s.client.tokens.Set(ctx, newToken(session.JWT.Reveal(), session.RefreshToken.Reveal(), s.client.tokens.Now()))
	return session, resp, savedError(err)
}

// LoginWithAccessToken logs in with the current access token and makes the
// client use the jwt it returns (keeping the refresh token, which this
// answer does not carry). An answer whose status is not "ok" or without a
// jwt is an error matching access.ErrUnauthorized.
//
// POST /api/mobile/access_token/login (Bearer access token)
func (s *AuthService) LoginWithAccessToken(ctx context.Context) (*Session, *Response, error) {
	call := rest.Post("api/mobile/access_token/login").WithBody(phoneBody{PhoneID: s.client.phoneID}).Idempotent()
	session, resp, err := do[*Session](ctx, s.client.api, call)
	if err != nil {
		return nil, resp, err
	}
	if err := checkAnswer("token login", session.Status, session.JWT); err != nil {
		return nil, resp, err
	}
	refresh := ""
	if current := s.client.tokens.Current(); current != nil {
		refresh = current.RefreshToken
	}
	err = s.client.tokens.Set(ctx, newToken(session.JWT.Reveal(), refresh, s.client.tokens.Now()))
	return session, resp, savedError(err)
}

// RenewAccessToken exchanges the refresh token for a new access token and
// makes the client use it.
//
// POST /api/mobile/access_token (Bearer refresh token, body {})
func (s *AuthService) RenewAccessToken(ctx context.Context) (*Renewal, *Response, error) {
	if s.client.deregistered.Load() {
		return nil, nil, ErrDeregistered
	}
	current := s.client.tokens.Current()
	if current == nil || current.RefreshToken == "" {
		return nil, nil, fmt.Errorf("primis: no refresh token to renew with: %w", access.ErrUnauthorized)
	}
	renewal, resp, err := s.client.renew(ctx, current.RefreshToken)
	if err != nil {
		return nil, resp, err
	}
	err = s.client.tokens.Set(ctx, newToken(renewal.JWT.Reveal(), current.RefreshToken, s.client.tokens.Now()))
	return renewal, resp, savedError(err)
}

// Deregister removes the client's phone id from Primis, freeing its licence.
// As the document says, it is sent with Basic authentication (the
// credentials given to New) or, without credentials, with the refresh token
// as Bearer; never with the access token.
//
// It succeeds when Primis answers status "ok", the document's word for
// done; a 2xx with another status is an error matching
// access.ErrOutcomeUnknown, and the client keeps its tokens and goes on as
// registered. After it succeeds the client drops its tokens and every call
// returns ErrDeregistered until Login registers the device again. With a shared
// token store (WithTokenStore) the deregistration replaces the fleet's
// tokens in the store, so the other replicas answer ErrDeregistered too
// once their token is refused, instead of logging in (which would register
// the device again); a Login on any replica registers the fleet again. If
// the store cannot be written, Deregister returns its result with an error
// saying so.
//
// DELETE /api/mobile/registration (Basic, or Bearer refresh token)
func (s *AuthService) Deregister(ctx context.Context) (*StatusResponse, *Response, error) {
	authorization, _, err := s.client.accountAuth()
	if err != nil {
		return nil, nil, err
	}
	call := rest.Delete("api/mobile/registration").
		WithBody(phoneBody{PhoneID: s.client.phoneID}).
		WithHeader("Authorization", authorization)
	result, resp, err := do[*StatusResponse](ctx, s.client.anon, call)
	if err != nil {
		return nil, resp, err
	}
	if result.Status != "ok" {
		// The document's word for done is "ok": with anything else the
		// device may still hold its licence, so the client goes on as
		// registered rather than stop on a guess.
		return result, resp, fmt.Errorf("primis: deregistration answered status %q instead of \"ok\", so whether the device is still registered cannot be told: %w",
			result.Status, access.ErrOutcomeUnknown)
	}
	s.client.deregistered.Store(true)
	s.client.tokens.Init(nil)
	if err := s.client.tokens.Publish(ctx, deregisteredToken()); err != nil {
		return result, resp, fmt.Errorf("primis: the device is deregistered, but the token store could not be told, so a replica sharing it may log in and register it again: %w", err)
	}
	return result, resp, nil
}

// ChangePassword sets a new password for the mobile user. The password must
// hold a digit, a lower-case and an upper-case letter and be at least six
// characters long; a weaker one is rejected before sending. Like
// Deregister it is sent with Basic authentication, or without credentials
// with the refresh token as Bearer. It succeeds when Primis answers status
// "ok", and the client then logs in with the new password; a 2xx with
// another status is an error matching access.ErrOutcomeUnknown, and the
// client keeps the password it had (if Primis refuses it from then on, the
// change took effect).
//
// POST /api/mobile/password (Basic, or Bearer refresh token)
func (s *AuthService) ChangePassword(ctx context.Context, newPassword string) (*StatusResponse, *Response, error) {
	if err := ValidatePassword(newPassword); err != nil {
		return nil, nil, err
	}
	authorization, basic, err := s.client.accountAuth()
	if err != nil {
		return nil, nil, err
	}
	body := struct {
		NewPassword string `json:"newPassword"`
	}{newPassword}
	call := rest.Post("api/mobile/password").WithBody(body).WithHeader("Authorization", authorization)
	result, resp, err := do[*StatusResponse](ctx, s.client.anon, call)
	if err != nil {
		return nil, resp, err
	}
	if result.Status != "ok" {
		// The document's word for done is "ok": with anything else the
		// password may or may not have changed, and the client keeps the
		// one it has rather than lock itself out on a guess.
		return result, resp, fmt.Errorf("primis: the password change answered status %q instead of \"ok\", so whether the password changed cannot be told; the client goes on with the password it had: %w",
			result.Status, access.ErrOutcomeUnknown)
	}
	if basic {
		creds := s.client.creds
		creds.mu.Lock()
		creds.password = newPassword
		creds.mu.Unlock()
	}
	return result, resp, nil
}

// accountAuth is the Authorization of deregistration and password change:
// Basic with the credentials when set, else the refresh token as Bearer.
func (c *Client) accountAuth() (authorization string, basic bool, err error) {
	if email, password, ok := c.creds.get(); ok {
		return basicAuth(email, password), true, nil
	}
	if c.deregistered.Load() {
		return "", false, ErrDeregistered
	}
	if current := c.tokens.Current(); current != nil && current.RefreshToken != "" {
		return "Bearer " + current.RefreshToken, false, nil
	}
	return "", false, fmt.Errorf("primis: needs WithPassword or a refresh token: %w", access.ErrUnauthorized)
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
// After Deregister it refuses, so the device is not registered again
// without the caller asking.
func (c *Client) fetchToken(ctx context.Context, current *oauth2.Token) (*oauth2.Token, error) {
	if c.deregistered.Load() || isDeregistered(current) {
		// Deregistered here, or by a replica sharing the token store.
		return nil, ErrDeregistered
	}
	if current != nil && current.RefreshToken != "" {
		renewal, _, err := c.renew(ctx, current.RefreshToken)
		if err == nil {
			return newToken(renewal.JWT.Reveal(), current.RefreshToken, c.tokens.Now()), nil
		}
		if !errors.Is(err, access.ErrUnauthorized) {
			return nil, err
		}
		if _, _, ok := c.creds.get(); !ok {
			return nil, err
		}
	}
	session, _, err := c.login(ctx)
	if err != nil {
		return nil, err
	}
	return newToken(session.JWT.Reveal(), session.RefreshToken.Reveal(), c.tokens.Now()), nil
}

// login sends the Basic-authenticated login and checks its answer.
func (c *Client) login(ctx context.Context) (*Session, *Response, error) {
	email, password, ok := c.creds.get()
	if !ok {
		return nil, nil, fmt.Errorf("primis: no valid token and no credentials to log in with (WithPassword): %w", access.ErrUnauthorized)
	}
	call := rest.Post("api/mobile/login").
		WithBody(phoneBody{PhoneID: c.phoneID}).
		WithHeader("Authorization", basicAuth(email, password))
	session, resp, err := do[*Session](ctx, c.anon, call)
	if err != nil {
		return nil, resp, err
	}
	if err := checkAnswer("login", session.Status, session.JWT); err != nil {
		return nil, resp, err
	}
	return session, resp, nil
}

func (c *Client) renew(ctx context.Context, refreshToken string) (*Renewal, *Response, error) {
	call := rest.Post("api/mobile/access_token").
		WithBody(json.RawMessage(`{}`)).
		WithHeader("Authorization", "Bearer "+refreshToken)
	renewal, resp, err := do[*Renewal](ctx, c.anon, call)
	if err != nil {
		return nil, resp, err
	}
	if err := checkAnswer("renewal", renewal.Status, renewal.JWT); err != nil {
		return nil, resp, err
	}
	return renewal, resp, nil
}

// checkAnswer refuses a 2xx login or renewal that did not give a token: the
// document says status is "ok" on success, and a client must not go on with
// an empty or stale JWT.
func checkAnswer(what, status string, jwt access.Secret) error {
	if status != "ok" {
		return fmt.Errorf("primis: %s answered status %q instead of \"ok\": %w", what, status, access.ErrUnauthorized)
	}
	if jwt == "" {
		return fmt.Errorf("primis: %s answered no jwt: %w", what, access.ErrUnauthorized)
	}
	return nil
}

func basicAuth(email, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+password))
}

// newToken wraps a JWT obtained at fetched (zero: kept from an earlier
// session) in an oauth2.Token whose Expiry is when the server stops
// accepting it, read in the local clock (see tokenExpiry).
func newToken(jwt, refresh string, fetched time.Time) *oauth2.Token {
	return &oauth2.Token{AccessToken: jwt, RefreshToken: refresh, TokenType: "Bearer", Expiry: tokenExpiry(jwt, fetched)}
}

// encodeTokens and decodeTokens convert between the source's token and the
// shared store's value, Tokens' JSON form; the expiry is read again from
// the JWT.
// A deregistration is stored as {"deregistered":true} in place of the
// tokens (see Deregister), and decodes to a token without secrets that
// deregisteredToken recognises.
func encodeTokens(t *oauth2.Token) ([]byte, error) {
	if isDeregistered(t) {
		return []byte(`{"deregistered":true}`), nil
	}
	return json.Marshal(tokensOf(t))
}

func decodeTokens(b []byte) (*oauth2.Token, error) {
	var t struct {
		Tokens
		Deregistered bool `json:"deregistered"`
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	if t.Deregistered {
		return deregisteredToken(), nil
	}
	return newToken(t.AccessToken.Reveal(), t.RefreshToken.Reveal(), time.Time{}), nil
}

// deregisteredExtra marks the token that stands for a deregistered device.
const deregisteredExtra = "doorkit_deregistered"

// deregisteredToken is what a replica's Deregister leaves in the shared
// token store for the others: no token, and the word that the device is
// deregistered.
func deregisteredToken() *oauth2.Token {
	return (&oauth2.Token{}).WithExtra(map[string]any{deregisteredExtra: true})
}

func isDeregistered(t *oauth2.Token) bool {
	return t != nil && t.Extra(deregisteredExtra) == true
}

func tokensOf(t *oauth2.Token) Tokens {
	if t == nil {
		return Tokens{}
	}
	return Tokens{AccessToken: access.Secret(t.AccessToken), RefreshToken: access.Secret(t.RefreshToken)}
}

// tokenExpiry returns the Expiry to store for jwt. The early renewal is
// the token source's alone (internal/auth: auth.ExpiryMargin before
// Expiry, at most half the lifetime it measures from fetch to Expiry);
// applying a margin here as well would apply it twice, and a short token
// would be renewed only after it died.
//
// A fetched token expires its lifetime after fetched. The lifetime is
// exp - iat from the (unverified) claims, which cancels a server clock that
// is off, or else exp - fetched. A token kept from an earlier session
// (fetched zero) gets the source's full margin, however short its life;
// when iat says it lived less than twice the margin, its Expiry is moved
// later so that it is still renewed half way, not before it was ever used.
// No exp, or a lifetime that is not positive: no expiry, and the client
// learns it from a 401.
func tokenExpiry(jwt string, fetched time.Time) time.Time {
	exp, iat, ok := jwtTimes(jwt)
	if !ok {
		return time.Time{}
	}
	if fetched.IsZero() {
		margin := auth.ExpiryMargin
		if !iat.IsZero() && exp.After(iat) {
			margin = min(margin, exp.Sub(iat)/2)
		}
		return exp.Add(auth.ExpiryMargin - margin)
	}
	lifetime := exp.Sub(fetched)
	if !iat.IsZero() {
		lifetime = exp.Sub(iat)
	}
	if lifetime <= 0 {
		return time.Time{}
	}
	return fetched.Add(lifetime)
}

// jwtTimes reads the exp and iat claims of a JWT, unverified. iat is zero
// when absent.
func jwtTimes(token string) (exp, iat time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	var claims struct {
		Exp json.Number `json:"exp"`
		Iat json.Number `json:"iat"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, time.Time{}, false
	}
	secs, err := claims.Exp.Int64()
	if err != nil || secs <= 0 {
		return time.Time{}, time.Time{}, false
	}
	if issued, err := claims.Iat.Int64(); err == nil && issued > 0 {
		iat = time.Unix(issued, 0)
	}
	return time.Unix(secs, 0), iat, true
}
