package resivo

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
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
	clientID     string
	clientSecret string
	email        string
	password     string
	accessToken  string
	refreshToken string
	onTokens     func(Tokens)
	version      string
	sites        []string
	keys         access.KeyStore
	smsNumber    func(raw string) (e164, reason string)
}

// DefaultBaseURL is resivo's production API.
const DefaultBaseURL = "https://api.resivo.io"

// DefaultUserAgent identifies doorkit in the User-Agent header.
const DefaultUserAgent = "doorkit-resivo/1"

// secretFields are resivo body keys whose values are secrets, beside
// those rest.IsSecretKey knows.
var secretFields = []string{"pinCode", "pinCodes", "client_secret", "accessToken", "refreshToken", "token"}

func defaultSettings() settings {
	c := clientopt.New("resivo", DefaultUserAgent, DefaultBaseURL)
	c.SecretFields = slices.Clone(secretFields)
	return settings{Common: c, version: DefaultAPIVersion, smsNumber: normalizeSMS}
}

// WithSMSNumbers sets how a holder's phone number is prepared for the SMS
// resivo sends with a door link: normalize returns the number in E.164, or
// "" and why it cannot take SMS (the grant then goes ahead by email, with an
// access.NoticeSMSDropped notice).
//
// By default the client applies resivo's integration notes, which need no
// metadata: 00 becomes +, spaces and separators go, and a number without a
// country code ("06 1234 5678") or not shaped like one (7 to 15 digits) is
// dropped. A landline with its country code ("+31 20 123 4567") is kept and
// sent to resivo, which, its notes say, texts mobile numbers only: it may
// refuse the grant (an error, nothing made) or make it and send no SMS.
//
// WithSMSNumbers(phone.NormalizeSMS) checks numbers against libphonenumber's
// metadata as well, and also drops landlines and numbers no numbering plan
// allows, each with its notice. It links that metadata into the program
// (about 8 MB of binary, and a start several times slower, since
// libphonenumber loads it when the program starts), which is why it is not
// the default.
func WithSMSNumbers(normalize func(raw string) (e164, reason string)) Option {
	return func(s *settings) error {
		if normalize == nil {
			return errors.New("resivo: WithSMSNumbers: nil function (phone.NormalizeSMS, say)")
		}
		s.smsNumber = normalize
		return nil
	}
}

// WithBaseURL sets the API address (default DefaultBaseURL).
func WithBaseURL(rawURL string) Option {
	return func(s *settings) error { s.BaseURL = rawURL; return nil }
}

// WithHTTPClient sends requests, token requests included, through hc's
// transport and with its timeout per attempt. Retries, authorisation,
// bounds and doorkit's redirect rule are layered on top of it; hc's
// CheckRedirect and Jar are not used. See the package doc for what its
// transport needs.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error { return s.SetHTTPClient(hc) }
}

// WithRootCAs trusts the certificate authorities in pool.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(s *settings) error { s.RootCAs = pool; return nil }
}

// WithCACertPEM trusts the PEM-encoded CA certificates in pem.
func WithCACertPEM(pem []byte) Option {
	return func(s *settings) error { return s.SetCACertPEM(pem) }
}

// WithUserAgent sets the User-Agent header; empty or control characters
// are an error.
func WithUserAgent(ua string) Option {
	return func(s *settings) error { return s.SetUserAgent(ua) }
}

// WithLogger logs every HTTP attempt at debug level with credentials,
// tokens, passwords and PINs redacted.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error { s.Logger = l; return nil }
}

// WithClientCredentials authenticates with an M2M client of a Site Owner
// (all its sites) or of one site: OAuth 2.0 client credentials at
// POST /oauth2/token.
func WithClientCredentials(clientID, clientSecret string) Option {
	return func(s *settings) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("resivo: WithClientCredentials: client id and secret are required")
		}
		s.clientID, s.clientSecret = clientID, clientSecret
		return nil
	}
}

// WithPassword logs in as a resivo user with email and password
// (POST /v8/users/login), and again when the access token is rejected. The
// login body and answer are inferred, not published: prefer
// WithClientCredentials. Havr and Primis name their password login alike.
func WithPassword(email, password string) Option {
	return func(s *settings) error {
		if email == "" || password == "" {
			return errors.New("resivo: WithPassword: email and password are required")
		}
		s.email, s.password = email, password
		return nil
	}
}

// WithTokens starts the client with tokens kept from an earlier session.
// When the access token is rejected, the client obtains a new one with the
// credentials given, if any, and otherwise returns resivo's 401. resivo
// publishes no refresh endpoint, so the refresh token is kept (Tokens) but
// never sent.
func WithTokens(accessToken, refreshToken string) Option {
	return func(s *settings) error { s.accessToken, s.refreshToken = accessToken, refreshToken; return nil }
}

// WithTokenCallback calls fn with every new token, so a program can keep it
// for WithTokens.
func WithTokenCallback(fn func(Tokens)) Option {
	return func(s *settings) error { s.onTokens = fn; return nil }
}

// WithRetry sets how often and how patiently idempotent requests are
// retried: maxRetries after the first attempt, waiting from minWait doubling
// up to maxWait. WithRetry(0, 0, 0) disables retries. Creates are never
// resent once they may have reached resivo.
func WithRetry(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(s *settings) error { return s.SetRetry(maxRetries, minWait, maxWait) }
}

// WithMaxRetryAfter sets the longest Retry-After the client waits out; a
// longer one is returned to the caller as an *Error with RetryAfter set.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(s *settings) error { return s.SetMaxRetryAfter(d) }
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
// debug records of WithLogger, with secrets (client secrets, passwords,
// tokens, PIN codes) and personal data (emails, phone numbers) redacted.
// Without it a record holds method, path, status, duration and request id
// only.
func WithLogBodies() Option {
	return func(s *settings) error { s.LogBodies = true; return nil }
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
// rate.Inf turns pacing off, the learning included. resivo publishes no
// limit; set one that your account is known to take, to avoid 429 answers.
func WithRateLimit(limit rate.Limit, burst int) Option {
	return func(s *settings) error { return s.SetRateLimit(limit, burst) }
}

// isAPIVersion reports whether v is a version prefix: 'v' and 1 to 3
// digits (no package-level regexp: see isE164).
func isAPIVersion(v string) bool {
	return len(v) >= 2 && len(v) <= 4 && v[0] == 'v' && allDigits(v[1:])
}

// WithAPIVersion sets the version prefix of versioned routes (default
// DefaultAPIVersion, "v8"). The site-scoped routes have no prefix.
func WithAPIVersion(v string) Option {
	return func(s *settings) error {
		if !isAPIVersion(v) {
			return fmt.Errorf("resivo: WithAPIVersion(%q): want v followed by a number, e.g. v8", v)
		}
		s.version = v
		return nil
	}
}

// WithSites names the sites the access methods cover: ListDoors lists the
// components of each, in order. resivo publishes no way to list a Site
// Owner's sites, so they are configured. A later WithSites replaces an
// earlier one; a site named twice is listed once.
func WithSites(siteIDs ...string) Option {
	return func(s *settings) error {
		s.sites = nil
		for _, id := range siteIDs {
			if err := checkID("site id", id); err != nil {
				return fmt.Errorf("resivo: WithSites: %w", err)
			}
			if !slices.Contains(s.sites, id) {
				s.sites = append(s.sites, id)
			}
		}
		return nil
	}
}

// WithKeyStore sets where grant keys (booking ids) are recorded. resivo
// cannot list authorizations, let alone by a caller's key, so the client
// keeps which authorization each key made; the default, NewKeyStore, lasts
// as long as the process. Plug in a durable or shared store (implementing
// access.KeyLister too, for ListGrants without a key) when several processes grant
// for the same bookings or a restart must not forget keys.
func WithKeyStore(ks access.KeyStore) Option {
	return func(s *settings) error {
		if ks == nil {
			return errors.New("resivo: WithKeyStore: nil store")
		}
		s.keys = ks
		return nil
	}
}

func (s *settings) validate() (*url.URL, error) {
	base, err := s.ParseBaseURL(false, "https://api.resivo.io")
	if err != nil {
		return nil, err
	}
	if s.keys == nil {
		s.keys = NewKeyStore()
	}
	if s.clientSecret == "" && s.password == "" && s.accessToken == "" && s.TokenStore == nil {
		return nil, errors.New("resivo: WithClientCredentials, WithPassword, WithTokens or WithTokenStore is required")
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

// WithTokenStore shares the client's tokens with every client of the same
// resivo account given the same store: the replicas of a service
// (redisstore), or clients in one process (access.NewMemoryTokenStore).
// The client still caches its token until it expires or is refused, so in
// the steady state a call costs no store round trip. When it needs a new
// token it adopts one a peer stored; otherwise it takes the store's refresh
// lease, reads the store again, and only then fetches one (client
// credentials or login) and saves it with a compare and swap on the value
// it replaced, so one fetch serves the fleet. Tokens given with WithTokens
// are used only while the store holds none. WithTokenCallback still hears
// of every new token, adopted ones included. If the store cannot be
// reached, a cached token keeps working, and a call that needs a new one
// fails with an error matching access.ErrUnavailable before anything is
// sent to resivo. The store holds Tokens' JSON form, the tokens in clear:
// protect it as you would a password.
func WithTokenStore(store access.TokenStore) Option {
	return func(s *settings) error { return s.SetTokenStore(store) }
}
