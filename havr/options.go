package havr

import (
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/doorkit/doorkit/access"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/doorkit/doorkit/internal/clientopt"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
)

// Option configures a Client.
type Option func(*settings) error

type settings struct {
	clientopt.Common
	clientID        string
	clientSecret    string
	emailOrUsername string
	password        string
	uuid            string
	accessToken     string
	refreshToken    string
	onTokens        func(Tokens)
	tokenLifetime   time.Duration
}

// The client ids the API documents. A server integration normally uses
// ClientIDWebPlatform; mobile client ids also need WithDeviceUUID.
const (
	ClientIDWebPlatform   = "web_platform_client_id"
	ClientIDCustomerSpace = "customer_space_client_id"
	ClientIDMobile        = "mobile_client_id"
	ClientIDIOS           = "ios_client_id"
	ClientIDAndroid       = "android_client_id"
)

// DefaultUserAgent identifies doorkit, both in the User-Agent header and in
// the user_agent field Havr's token requests require.
const DefaultUserAgent = "doorkit-havr/1"

func defaultSettings() settings {
	return settings{Common: clientopt.New("havr", DefaultUserAgent, ""), clientID: ClientIDWebPlatform}
}

// WithBaseURL sets the API address, e.g. "https://api.example-havr.io". It
// is required: the Havr document does not publish a host.
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

// WithRootCAs trusts the certificate authorities in pool.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(s *settings) error { s.RootCAs = pool; return nil }
}

// WithUserAgent sets the User-Agent header and the user_agent sent with
// token requests.
func WithUserAgent(ua string) Option {
	return func(s *settings) error { return s.SetUserAgent(ua) }
}

// WithCACertPEM trusts the PEM-encoded CA certificates in pem.
func WithCACertPEM(pem []byte) Option {
	return func(s *settings) error { return s.SetCACertPEM(pem) }
}

// WithLogger logs every HTTP attempt at debug level with credentials,
// tokens, passwords and PINs redacted.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error { s.Logger = l; return nil }
}

// WithPassword logs in as a Havr user with the password grant, by email or
// username, and again when the refresh token is rejected.
func WithPassword(emailOrUsername, password string) Option {
	return func(s *settings) error {
		if emailOrUsername == "" || password == "" {
			return errors.New("havr: WithPassword: email or username and password are required")
		}
		s.emailOrUsername, s.password = emailOrUsername, password
		return nil
	}
}

// WithClientID sets the client_id sent with token requests (default
// ClientIDWebPlatform).
func WithClientID(id string) Option {
	return func(s *settings) error { s.clientID = id; return nil }
}

// WithClientCredentials authenticates as a client with the
// client_credentials grant.
func WithClientCredentials(clientID, clientSecret string) Option {
	return func(s *settings) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("havr: WithClientCredentials: client id and secret are required")
		}
		s.clientID, s.clientSecret = clientID, clientSecret
		return nil
	}
}

// WithDeviceUUID sets the mobile device uuid that mobile client ids must send
// with token requests.
func WithDeviceUUID(uuid string) Option {
	return func(s *settings) error { s.uuid = uuid; return nil }
}

// WithRollbackGrace sets how long CreateGrant's clean-up (deleting the keys
// already made when a later door fails) may run on after the caller's
// context has ended; default DefaultRollbackGrace, 0 ends it with the
// context. What it has not finished by then is reported as a
// *RollbackError naming the keys that may be left.
func WithRollbackGrace(d time.Duration) Option {
	return func(s *settings) error { return s.SetRollbackGrace(d) }
}

// WithTokens starts the client with tokens kept from an earlier session.
func WithTokens(accessToken, refreshToken string) Option {
	return func(s *settings) error { s.accessToken, s.refreshToken = accessToken, refreshToken; return nil }
}

// WithTokenCallback calls fn with every new token pair. Havr refresh tokens
// are single-use: persist each new pair, or a restarted program holding the
// old refresh token will be refused. An answer without a refresh token is
// not reported (see AuthService): fn never receives an empty refresh token.
func WithTokenCallback(fn func(Tokens)) Option {
	return func(s *settings) error { s.onTokens = fn; return nil }
}

// WithRetry sets how often and how patiently idempotent requests are
// retried: maxRetries after the first attempt, waiting from minWait doubling
// up to maxWait. WithRetry(0, 0, 0) disables retries.
func WithRetry(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(s *settings) error { return s.SetRetry(maxRetries, minWait, maxWait) }
}

// WithMaxRetryAfter sets the longest Retry-After the client waits out; a
// longer one is returned to the caller as an *Error with RetryAfter set.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(s *settings) error { return s.SetMaxRetryAfter(d) }
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

// WithTokenLifetime tells the client how long Havr access tokens live, which
// the document does not publish. Tokens the client obtains then expire d
// after their request was sent, and the client renews them shortly before
// that (10 s before, or half-way through a lifetime under 20 s), so
// requests do not go out with a token the server has already retired and
// come back 401. Without it, expiry is learnt from a 401. Tokens given with
// WithTokens keep an unknown lifetime.
func WithTokenLifetime(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("havr: WithTokenLifetime(%s): must be positive", d)
		}
		s.tokenLifetime = d
		return nil
	}
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
	base, err := s.ParseBaseURL(false, "the Havr API's https:// address")
	if err != nil {
		return nil, err
	}
	if s.clientID == "" {
		return nil, errors.New("havr: a client id is required")
	}
	hasLogin := s.password != "" || s.clientSecret != ""
	if !hasLogin && s.accessToken == "" && s.refreshToken == "" && s.TokenStore == nil {
		return nil, errors.New("havr: WithPassword, WithClientCredentials, WithTokens or WithTokenStore is required")
	}
	return base, nil
}

func (s *settings) tokenCallback() func(*oauth2.Token) {
	if s.onTokens == nil {
		return nil
	}
	return func(t *oauth2.Token) {
		if t.RefreshToken == "" {
			return // nothing a restarted program could renew with
		}
		s.onTokens(tokensOf(t))
	}
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

// WithTokenStore shares the client's tokens with every client of the same
// Havr account given the same store: the replicas of a service
// (redisstore), or clients in one process (access.NewMemoryTokenStore).
// The client still caches its token until it expires or is refused, so in
// the steady state a call costs no store round trip. When it needs a new
// token it adopts one a peer stored; otherwise it takes the store's refresh
// lease, reads the store again, and only then refreshes (or logs in) and
// saves the new pair with a compare and swap on the pair it replaced, so
// the fleet sends each single-use refresh token once. Tokens given with
// WithTokens are used only while the store holds none. WithTokenCallback
// still hears of every new pair, adopted ones included. If the store cannot
// be reached, a cached token keeps working, and a call that needs a new one
// fails with an error matching access.ErrUnavailable before anything is
// sent to Havr. The store holds Tokens' JSON form, the tokens in clear:
// protect it as you would a password.
func WithTokenStore(store access.TokenStore) Option {
	return func(s *settings) error { return s.SetTokenStore(store) }
}
