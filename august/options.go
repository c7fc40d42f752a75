package august

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
	"golang.org/x/time/rate"
)

// Option configures a Client.
type Option func(*settings) error

type settings struct {
	clientopt.Common
	apiKey       string
	accessToken  string
	refreshToken string
	onTokens     func(Tokens)
	authURL      string
	clientID     string
	clientSecret string
	redirectURL  string
	scopes       []string
	syncTimeout  time.Duration
	events       *WebhookHandler
	webhookURL   string
	urlSecret    string
	userID       string
	confirmWait  time.Duration
	hookClientID string // WithWebhookClientID
}

// Hosts of August's API and OAuth server.
const (
	DefaultBaseURL = "https://api-production.august.com"
	DefaultAuthURL = "https://auth.august.com"
)

// DefaultUserAgent identifies doorkit in the User-Agent header.
const DefaultUserAgent = "doorkit-august/1"

// DefaultSyncOperateTimeout bounds how long a synchronous remote operate
// waits for August's answer (its response headers), instead of the
// client's response-header timeout: August itself retries the lock up to 3
// times 30 s, so an answer can take about 90 s. The caller's context still
// ends the call earlier.
const DefaultSyncOperateTimeout = 100 * time.Second

func defaultSettings() settings {
	c := clientopt.New("august", DefaultUserAgent, DefaultBaseURL)
	// The OAuth code exchange carries the one-time authorization code as
	// "code", a key the shared rule does not take for a secret. Error and
	// event codes under that key are redacted in logged bodies too. A
	// command's "webhook" carries the URL secret (WithWebhook).
	c.SecretFields = []string{"code", "webhook"}
	return settings{
		Common:      c,
		authURL:     DefaultAuthURL,
		syncTimeout: DefaultSyncOperateTimeout,
		confirmWait: ConfirmTimeout,
	}
}

// WithConfirmTimeout sets how long the access layer waits for August to
// confirm a PIN command or an asynchronous unlock by webhook (default
// ConfirmTimeout), unless the caller's context ends sooner.
func WithConfirmTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return errors.New("august: WithConfirmTimeout: the timeout must be positive")
		}
		s.confirmWait = d
		return nil
	}
}

// WithBaseURL sets the API address (default DefaultBaseURL).
func WithBaseURL(rawURL string) Option {
	return func(s *settings) error { s.BaseURL = rawURL; return nil }
}

// WithAuthURL sets the OAuth server's address (default DefaultAuthURL).
func WithAuthURL(rawURL string) Option {
	return func(s *settings) error { s.authURL = rawURL; return nil }
}

// WithHTTPClient sends requests through hc's transport and with its timeout
// per attempt. Retries, the API key and access token, token rotation,
// bounds and doorkit's redirect rule are layered on top of it; hc's
// CheckRedirect and Jar are not used. See the package doc for what its
// transport (and timeout, for synchronous remote operate) needs.
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

// WithUserAgent sets the User-Agent header (default DefaultUserAgent). An
// empty value or one with control characters is an error.
func WithUserAgent(ua string) Option {
	return func(s *settings) error { return s.SetUserAgent(ua) }
}

// WithMaxResponseBody caps what is read of a 2xx body (default 32 MiB); a
// longer body is an error.
func WithMaxResponseBody(n int64) Option {
	return func(s *settings) error { return s.SetMaxBody(n) }
}

// WithResponseHeaderTimeout bounds each attempt until the response headers
// arrive (default 30 s). It applies over a WithHTTPClient transport too; the
// context's deadline still applies. Synchronous remote operate has its own,
// longer bound (WithSyncOperateTimeout).
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

// WithLogBodies adds headers, the query and JSON bodies to the debug
// records of WithLogger, with secrets (the API key, tokens, PINs) and
// personal data (emails, phone numbers) redacted. Without it a record holds
// method, path, status, duration and request id only.
func WithLogBodies() Option {
	return func(s *settings) error { s.LogBodies = true; return nil }
}

// WithLogger logs every HTTP attempt at debug level with the API key,
// tokens and PINs redacted (PINs in paths too).
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error { s.Logger = l; return nil }
}

// WithAPIKey sets the partner API key sent as x-august-api-key. Required.
func WithAPIKey(key string) Option {
	return func(s *settings) error {
		if key == "" {
			return errors.New("august: WithAPIKey: empty key")
		}
		s.apiKey = key
		return nil
	}
}

// WithTokens starts the client with an access token (a JWT, sent as
// x-august-access-token) and, optionally, an OAuth refresh token, kept from
// an earlier session. Tokens given here are not reported to the callback.
func WithTokens(accessToken, refreshToken string) Option {
	return func(s *settings) error { s.accessToken, s.refreshToken = accessToken, refreshToken; return nil }
}

// WithTokenCallback calls fn with every new token: each rotated access
// token August returns in a response header, and each token obtained by an
// OAuth exchange or refresh. Persist them: the newest token is the one to
// start with next time. fn is called in order of installation, one call at
// a time, and must not call back into the client.
func WithTokenCallback(fn func(Tokens)) Option {
	return func(s *settings) error { s.onTokens = fn; return nil }
}

// WithOAuth sets the OAuth client of the authorization-code flow at
// auth.august.com: client id, secret and redirect URL. It enables
// Auth.AuthCodeURL, Auth.Exchange, and one refresh after a 401 when a
// refresh token is held.
func WithOAuth(clientID, clientSecret, redirectURL string, scopes ...string) Option {
	return func(s *settings) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("august: WithOAuth: client id and secret are required")
		}
		s.clientID, s.clientSecret, s.redirectURL, s.scopes = clientID, clientSecret, redirectURL, scopes
		return nil
	}
}

// WithRetry sets how often and how patiently idempotent requests are
// retried: maxRetries after the first attempt, waiting from minWait doubling
// up to maxWait. WithRetry(0, 0, 0) disables retries. Remote operate is
// never retried.
func WithRetry(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(s *settings) error { return s.SetRetry(maxRetries, minWait, maxWait) }
}

// WithMaxRetryAfter sets the longest Retry-After the client waits out; a
// longer one is returned to the caller as an *Error with RetryAfter set.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(s *settings) error { return s.SetMaxRetryAfter(d) }
}

// WithTokenTimeout bounds each OAuth refresh (default 30 s). The refresh
// runs on its own context, so a caller whose context ends first returns at
// once while the refresh goes on for the others.
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
// burst (golang.org/x/time/rate). Every attempt is paced, retries, the resend
// after a 401 and OAuth calls included; a caller waits within its context and
// gets its context's error when that ends first. A 429, or a 503 with
// Retry-After, lowers the pace below the ceiling, and accepted requests raise
// it again, never above. Without it the client learns the vendor's rate that
// way from a cold start; rate.Inf turns pacing off, the learning included.
// Set it to August's limit for your API key, or below it, to avoid 429
// answers.
func WithRateLimit(limit rate.Limit, burst int) Option {
	return func(s *settings) error { return s.SetRateLimit(limit, burst) }
}

// WithSyncOperateTimeout bounds synchronous remote operate calls (default
// DefaultSyncOperateTimeout). It must be at least 95 s, since August may
// take about 90 s to answer.
func WithSyncOperateTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d < 95*time.Second {
			return errors.New("august: WithSyncOperateTimeout: August may take about 90 s; use at least 95 s")
		}
		s.syncTimeout = d
		return nil
	}
}

// WithWebhook tells the client's access layer where August's results go:
// rawURL is the address August calls (registered with Webhooks.Register, and
// sent with every PIN command the access layer makes), h the handler that
// receives those calls in this process (nil when another process does).
// Grants need url. With h, OpenDoor unlocks asynchronously and waits for the
// result (registering url for the lock's operation events itself, once per
// lock, when WithOAuth names the partner client: see Webhooks.Register), and window changes and revocations wait for August to confirm
// each PIN command; without h, OpenDoor unlocks synchronously, and grants
// show what the PIN listing shows.
//
// The URL sent with each command carries the URL secret as the query value
// URLSecretParam, since August documents no header for per-command
// results: h's (WithURLSecret, or derived from its token), or the one
// given with WithWebhookURLSecret. Logged bodies show that URL as
// [REDACTED].
func WithWebhook(rawURL string, h *WebhookHandler) Option {
	return func(s *settings) error {
		if err := checkWebhookURL("webhook", rawURL, false); err != nil {
			return err
		}
		if u, _ := url.Parse(rawURL); u.Query().Has(URLSecretParam) {
			return fmt.Errorf("august: WithWebhook: the URL already has a %s value: give the secret with WithURLSecret or WithWebhookURLSecret", URLSecretParam)
		}
		s.webhookURL, s.events = rawURL, h
		return nil
	}
}

// WithWebhookURLSecret sets the URL secret added to the webhook URL of each
// command (see WithWebhook) when no handler in this process gives it: use
// the receiving handler's WithURLSecret value, or DeriveURLSecret of its
// header token. With a handler, the two must agree.
func WithWebhookURLSecret(secret string) Option {
	return func(s *settings) error {
		if len(secret) < 16 {
			return errors.New("august: WithWebhookURLSecret: the secret must have at least 16 characters")
		}
		s.urlSecret = secret
		return nil
	}
}

// WithUserID names the August user the access token belongs to. OpenDoor
// takes a webhook result for its own only when the result names this user;
// without WithUserID the client reads the token's userId claim (August's
// tokens are JWTs that carry it; the claim is read, not verified).
func WithUserID(id string) Option {
	return func(s *settings) error {
		if err := checkUUID("userID", id); err != nil {
			return err
		}
		s.userID = id
		return nil
	}
}

// WithRollbackGrace sets how long CreateGrant's rollback (deleting the PINs
// already loaded when a later door refuses the grant) may run on after the
// caller's context has ended; default DefaultRollbackGrace, 0 ends it with
// the context. What it has not finished by then is reported as a
// *RollbackError.
func WithRollbackGrace(d time.Duration) Option {
	return func(s *settings) error { return s.SetRollbackGrace(d) }
}

func (s *settings) validate() (*url.URL, *url.URL, error) {
	base, err := s.ParseBaseURL(false, "the August API's https:// address")
	if err != nil {
		return nil, nil, err
	}
	authSettings := s.Common
	authSettings.BaseURL = s.authURL
	authBase, err := authSettings.ParseBaseURL(false, "the August OAuth server's https:// address")
	if err != nil {
		return nil, nil, err
	}
	if s.apiKey == "" {
		return nil, nil, errors.New("august: WithAPIKey is required")
	}
	if s.events != nil && s.urlSecret != "" && s.urlSecret != s.events.secret.value {
		return nil, nil, errors.New("august: WithWebhookURLSecret differs from the handler's URL secret")
	}
	return base, authBase, nil
}

// commandWebhookURL is the webhook URL sent with commands: the one given to
// WithWebhook with the URL secret added.
func (s *settings) commandWebhookURL() string {
	secret := s.urlSecret
	if secret == "" && s.events != nil {
		secret = s.events.secret.value
	}
	if s.webhookURL == "" || secret == "" {
		return s.webhookURL
	}
	u, err := commandURL(s.webhookURL, secret)
	if err != nil {
		return s.webhookURL // checked by WithWebhook: cannot happen
	}
	return u
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
// August account given the same store: the replicas of a service
// (redisstore), or clients in one process (access.NewMemoryTokenStore). A
// client reads the store when it starts and after a 401, and uses the
// newer token by the JWT's own iat and exp claims, so the newest wins
// rather than the last saved; it saves a rotated token once it is
// TokenShareInterval newer than the stored one, and every token an OAuth
// exchange or refresh brings. In the steady state a call costs no store
// round trip. After a 401 a client adopts a newer stored token; otherwise,
// with an OAuth refresh token, it takes the store's refresh lease, reads
// again and only then refreshes. Tokens given with WithTokens count as the
// client's own: the newer of them and the stored ones wins (the stored ones
// when either is not a JWT). WithTokenCallback still hears of every new
// token, adopted ones included. If the store cannot be reached, a client
// holding a token keeps using it; one that has none, or needs a new one
// after a 401, fails with an error matching access.ErrUnavailable before
// anything more is sent. The store holds Tokens' JSON form, the tokens in
// clear: protect it as you would a password.
func WithTokenStore(store access.TokenStore) Option {
	return func(s *settings) error { return s.SetTokenStore(store) }
}

// WithWebhookClientID names the partner's OAuth client id under which the
// client registers its webhook for a lock's operation events (POST
// /webhook/:lockID), for a client given its tokens without WithOAuth, which
// names it otherwise. Without a client id the client cannot register, and
// so cannot know that an unlock's result will reach its handler: OpenDoor
// then unlocks synchronously, whose answer is tied to the command by the
// connection, rather than wait for a result that may never come.
func WithWebhookClientID(clientID string) Option {
	return func(s *settings) error {
		if clientID == "" {
			return errors.New("august: WithWebhookClientID: empty client id")
		}
		s.hookClientID = clientID
		return nil
	}
}
