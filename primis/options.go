package primis

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/clientopt"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
)

// Option configures a Client.
type Option func(*settings) error

type settings struct {
	clientopt.Common
	email        string
	password     string
	phoneID      string
	jwt          string
	refreshToken string
	onTokens     func(Tokens)
	openDuration time.Duration
}

// DefaultOpenDuration is how long OpenDoor unlocks a controlled area.
const DefaultOpenDuration = 5 * time.Second

// DefaultUserAgent is sent unless WithUserAgent says otherwise.
const DefaultUserAgent = "doorkit-primis"

func defaultSettings() settings {
	return settings{
		Common:       clientopt.New("primis", DefaultUserAgent, ""),
		openDuration: DefaultOpenDuration,
	}
}

// WithBaseURL sets the server address, https://<ip address>:<port>. It is
// required: Primis is installed on premises and has no public host.
func WithBaseURL(rawURL string) Option {
	return func(s *settings) error { s.BaseURL = rawURL; return nil }
}

// WithHTTPClient sends requests through hc's transport and with its timeout
// per attempt. Retries, authorisation, bounds and doorkit's redirect rule
// are layered on top of it; hc's CheckRedirect and Jar are not used. See the
// package doc for what its transport needs.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error { return s.SetHTTPClient(hc) }
}

// WithRootCAs trusts the certificate authorities in pool, for servers with
// a certificate from a private CA. Verification stays on.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(s *settings) error { s.RootCAs = pool; return nil }
}

// WithCACertPEM trusts the PEM-encoded CA certificates in pem.
func WithCACertPEM(pem []byte) Option {
	return func(s *settings) error { return s.SetCACertPEM(pem) }
}

// WithUserAgent sets the User-Agent header. An empty one is an error, as in
// every doorkit package.
func WithUserAgent(ua string) Option {
	return func(s *settings) error { return s.SetUserAgent(ua) }
}

// WithLogger logs every HTTP attempt at debug level with credentials, tokens,
// passwords and PINs redacted.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error { s.Logger = l; return nil }
}

// WithPassword logs in as the mobile user with email and password (the
// Basic-authenticated login), and again when the refresh token is rejected.
func WithPassword(email, password string) Option {
	return func(s *settings) error {
		if email == "" || password == "" {
			return errors.New("primis: WithPassword: email and password are required")
		}
		if err := access.ValidateEmail(email); err != nil {
			return fmt.Errorf("primis: WithPassword: %w", err)
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
// retried (see the package doc's Retries section): maxRetries after the first attempt, waiting from
// minWait doubling up to maxWait. WithRetry(0, 0, 0) disables retries.
func WithRetry(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(s *settings) error { return s.SetRetry(maxRetries, minWait, maxWait) }
}

// WithMaxRetryAfter sets the longest Retry-After the client waits out; a
// longer one is returned to the caller as an *Error with RetryAfter set.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(s *settings) error { return s.SetMaxRetryAfter(d) }
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

// WithTokenTimeout bounds each token fetch (default 30 s). The fetch runs on
// its own context, so a caller whose context ends first returns at once
// while the fetch goes on for the others.
func WithTokenTimeout(d time.Duration) Option {
	return func(s *settings) error { return s.SetTokenTimeout(d) }
}

// WithRateBudget paces the client from budget, the request budget of this
// vendor account shared by all its replicas (a redisstore budget, or
// access.NewMemoryRateBudget for clients in one process). Every attempt,
// retries and token fetches included, takes its slot from the budget and
// waits for it within its context; a 429, or a 503 with Retry-After, is
// reported to the budget so that every replica slows down. A budget that
// fails or does not answer within 500 ms (Redis unreachable) does not stop
// requests: they are paced locally meanwhile, at a quarter of the budget's
// rate when it reports one (access.RateLimitReporter), else as without a
// budget, and WithLogger hears once when that starts and once when the
// budget answers again. WithRateLimit, if also set, stays this client's
// ceiling.
func WithRateBudget(budget access.RateBudget) Option {
	return func(s *settings) error { return s.SetRateBudget(budget) }
}

// WithRateLimit sets a ceiling of limit requests per second with bursts of
// burst (golang.org/x/time/rate). Every attempt is paced, retries and token
// fetches included; a caller waits within its context and gets its context's
// error when that ends first. A 429, or a 503 with Retry-After, lowers the
// pace below the ceiling, and accepted requests raise it again, never above.
// Without it the client learns the vendor's rate that way from a cold start;
// rate.Inf turns pacing off, the learning included. Set it to the vendor's
// published limit, or below it, to avoid 429 answers.
func WithRateLimit(limit rate.Limit, burst int) Option {
	return func(s *settings) error { return s.SetRateLimit(limit, burst) }
}

// WithMaxResponseBody caps what is read of a 2xx body (default 32 MiB); a
// longer body is an error.
func WithMaxResponseBody(n int64) Option {
	return func(s *settings) error { return s.SetMaxBody(n) }
}

// WithResponseHeaderTimeout bounds each attempt until the response headers
// arrive (default 30 s). It applies over a WithHTTPClient transport too; the
// context's deadline still applies.
func WithResponseHeaderTimeout(d time.Duration) Option {
	return func(s *settings) error { return s.SetResponseHeaderTimeout(d) }
}

// WithResponseBodyTimeout bounds each attempt from the arrival of its
// response headers until its body has been read (default 60 s), so a server
// that trickles its answer cannot hold a call without a deadline forever; a
// body cut short this way is an error matching the call's class (see
// Bounds in the package doc). It applies over a WithHTTPClient transport
// too; the context's deadline still applies.
func WithResponseBodyTimeout(d time.Duration) Option {
	return func(s *settings) error { return s.SetResponseBodyTimeout(d) }
}

// WithLogBodies adds headers, the query and JSON or form bodies to the
// debug records of WithLogger, with secrets (passwords, tokens, PINs, codes)
// and personal data (emails, phone numbers) redacted. Without it a record
// holds method, path, status, duration and request id only.
func WithLogBodies() Option {
	return func(s *settings) error { s.LogBodies = true; return nil }
}

func (s *settings) validate() (*url.URL, error) {
	base, err := s.ParseBaseURL(false, "https://<ip address>:<port>")
	if err != nil {
		return nil, err
	}
	if s.phoneID == "" {
		return nil, errors.New("primis: WithPhoneID is required: the device id this client registers as")
	}
	if err := validatePhoneID("phone id", s.phoneID); err != nil {
		return nil, fmt.Errorf("primis: WithPhoneID: %w", err)
	}
	if s.email == "" && s.jwt == "" && s.refreshToken == "" && s.TokenStore == nil {
		return nil, errors.New("primis: WithPassword, WithTokens or WithTokenStore is required")
	}
	return base, nil
}

func (s *settings) tokenCallback() func(*oauth2.Token) {
	if s.onTokens == nil {
		return nil
	}
	return func(t *oauth2.Token) { s.onTokens(tokensOf(t)) }
}

// WithLocker sets where the client takes its turns: EnsureGrant and
// EnsureRevokedByKey on this client take one per grant key, and the client
// takes one wherever two calls must not change the same thing at once. The
// default is an in-memory Locker of this client value, which keeps the
// goroutines of one process apart; give every replica the same shared
// Locker (redisstore) to keep replicas apart.
func WithLocker(l access.Locker) Option {
	return func(s *settings) error { return s.SetLocker(l) }
}

// WithTokenStore shares the client's tokens, and so its registration, with
// every client of the same Primis account and phone id (WithPhoneID) given
// the same store: the replicas of a service (redisstore), or clients in
// one process (access.NewMemoryTokenStore). One login, one licence, serves
// them all. The client still caches its token until it expires or is
// refused, so in the steady state a call costs no store round trip. When it
// needs a new token it adopts one a peer stored; otherwise it takes the
// store's refresh lease, reads the store again, and only then renews (or
// logs in) and saves the result with a compare and swap on the value it
// replaced. Tokens given with WithTokens are used only while the store
// holds none. WithTokenCallback still hears of every new token, adopted
// ones included. If the store cannot be reached, a cached token keeps
// working, and a call that needs a new one fails with an error matching
// access.ErrUnavailable before anything is sent to Primis. The store holds
// Tokens' JSON form, the tokens in clear: protect it as you would a
// password. Auth.Deregister stops this client only: the others keep the
// stored tokens and, once Primis refuses them, log in again (registering
// the phone id anew).
func WithTokenStore(store access.TokenStore) Option {
	return func(s *settings) error { return s.SetTokenStore(store) }
}
