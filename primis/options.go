package primis

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/doorkit/doorkit/internal/rest"
	"golang.org/x/oauth2"
)

// Option configures a Client.
type Option func(*settings) error

type settings struct {
	baseURL      string
	httpClient   *http.Client
	rootCAs      *x509.CertPool
	userAgent    string
	logger       *slog.Logger
	email        string
	password     string
	phoneID      string
	jwt          string
	refreshToken string
	onTokens     func(Tokens)
	policy       rest.Policy
	openDuration time.Duration
	tokenTimeout time.Duration
}

// DefaultOpenDuration is how long OpenDoor unlocks a controlled area.
const DefaultOpenDuration = 5 * time.Second

// DefaultUserAgent is sent unless WithUserAgent says otherwise.
const DefaultUserAgent = "doorkit-primis"

func defaultSettings() settings {
	return settings{
		userAgent:    DefaultUserAgent,
		policy:       rest.DefaultPolicy,
		openDuration: DefaultOpenDuration,
	}
}

// WithBaseURL sets the server address, https://<ip address>:<port>. It is
// required: Primis is installed on premises and has no public host.
func WithBaseURL(rawURL string) Option {
	return func(s *settings) error { s.baseURL = rawURL; return nil }
}

// WithHTTPClient sends requests through hc's transport and with its timeout
// per attempt. Retries and authorisation are layered on top of it.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("primis: WithHTTPClient: nil client")
		}
		s.httpClient = hc
		return nil
	}
}

// WithRootCAs trusts the certificate authorities in pool, for servers with
// a certificate from a private CA. Verification stays on.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(s *settings) error { s.rootCAs = pool; return nil }
}

// WithCACertPEM trusts the PEM-encoded CA certificates in pem.
func WithCACertPEM(pem []byte) Option {
	return func(s *settings) error {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return errors.New("primis: WithCACertPEM: no certificate found in PEM data")
		}
		s.rootCAs = pool
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(s *settings) error { s.userAgent = ua; return nil }
}

// WithLogger logs every HTTP attempt at debug level with credentials, tokens,
// passwords and PINs redacted.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error { s.logger = l; return nil }
}

// WithCredentials sets the mobile user's email and password, used for the
// Basic-authenticated login and to log in again when the refresh token is
// rejected.
func WithCredentials(email, password string) Option {
	return func(s *settings) error {
		if email == "" || password == "" {
			return errors.New("primis: WithCredentials: email and password are required")
		}
		s.email, s.password = email, password
		return nil
	}
}

// WithPhoneID sets the device id the client registers as. Keep it stable
// and store it: every new id takes one of the server's mobile licences.
func WithPhoneID(id string) Option {
	return func(s *settings) error { s.phoneID = id; return nil }
}

// WithTokens starts the client with an access token (JWT) and refresh token
// kept from an earlier session, so it need not log in again.
func WithTokens(accessToken, refreshToken string) Option {
	return func(s *settings) error { s.jwt, s.refreshToken = accessToken, refreshToken; return nil }
}

// WithTokenCallback calls fn with every new token pair (after login and
// renewal), so callers can persist it for WithTokens.
func WithTokenCallback(fn func(Tokens)) Option {
	return func(s *settings) error { s.onTokens = fn; return nil }
}

// WithRetry sets how often and how patiently idempotent requests are
// retried (see DESIGN.md): maxRetries after the first attempt, waiting from
// minWait doubling up to maxWait. WithRetry(0, 0, 0) disables retries.
func WithRetry(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(s *settings) error {
		if maxRetries < 0 || minWait < 0 || maxWait < minWait {
			return fmt.Errorf("primis: WithRetry(%d, %s, %s): need maxRetries >= 0 and 0 <= minWait <= maxWait", maxRetries, minWait, maxWait)
		}
		s.policy.MaxRetries, s.policy.MinWait, s.policy.MaxWait = maxRetries, minWait, maxWait
		return nil
	}
}

// WithMaxRetryAfter sets the longest Retry-After the client waits out; a
// longer one is returned to the caller as an *Error with RetryAfter set.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(s *settings) error { s.policy.MaxRetryAfter = d; return nil }
}

// WithOpenDuration sets how long OpenDoor unlocks a controlled area.
func WithOpenDuration(d time.Duration) Option {
	return func(s *settings) error {
		if d < time.Second {
			return fmt.Errorf("primis: WithOpenDuration(%s): at least one second", d)
		}
		s.openDuration = d
		return nil
	}
}

func (s *settings) validate() (*url.URL, error) {
	if s.baseURL == "" {
		return nil, errors.New("primis: WithBaseURL is required (https://<ip address>:<port>)")
	}
	u, err := url.Parse(s.baseURL)
	if err != nil {
		return nil, fmt.Errorf("primis: base URL: %w", err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("primis: base URL %q: must be https://host:port (the Mobile API is served over TLS only)", s.baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("primis: base URL %q: must not have a query or fragment", s.baseURL)
	}
	if s.phoneID == "" {
		return nil, errors.New("primis: WithPhoneID is required: the device id this client registers as")
	}
	if s.email == "" && s.jwt == "" && s.refreshToken == "" {
		return nil, errors.New("primis: WithCredentials or WithTokens is required")
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/"
	return u, nil
}

// transport returns the base transport and per-attempt timeout.
func (s *settings) transport() (http.RoundTripper, time.Duration, error) {
	if s.httpClient != nil {
		if s.rootCAs != nil {
			return nil, 0, errors.New("primis: WithRootCAs and WithHTTPClient exclude each other: set RootCAs on your client's transport")
		}
		rt := s.httpClient.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		return rt, s.httpClient.Timeout, nil
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	if s.rootCAs != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: s.rootCAs, MinVersion: tls.VersionTLS12}
	}
	return t, 0, nil
}

func (s *settings) tokenCallback() func(*oauth2.Token) {
	if s.onTokens == nil {
		return nil
	}
	return func(t *oauth2.Token) { s.onTokens(tokensOf(t)) }
}
