// Package clientopt holds the settings every vendor client shares (base
// URL, HTTP client, trusted CAs, user agent, logger, retry policy) and their
// validation, so each vendor's Option functions stay one-liners.
package clientopt

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

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/pace"
	"github.com/doorkit/doorkit/internal/rest"
	"golang.org/x/time/rate"
)

// Common is embedded in each vendor's settings.
type Common struct {
	Vendor       string // prefixes error messages, e.g. "havr"
	BaseURL      string
	HTTPClient   *http.Client
	RootCAs      *x509.CertPool
	UserAgent    string
	Logger       *slog.Logger
	Policy       rest.Policy
	TokenTimeout time.Duration
	RateLimit    rate.Limit // requests per second; 0: the limit learns
	RateBurst    int
	// RateBudget, when set, is the vendor account's shared budget.
	RateBudget access.RateBudget
	// MaxBody caps 2xx bodies (0: rest.DefaultMaxBody).
	MaxBody int64
	// ResponseHeaderTimeout bounds each attempt until its headers arrive
	// (0: rest.DefaultResponseHeaderTimeout).
	ResponseHeaderTimeout time.Duration
	// ResponseBodyTimeout bounds each attempt from its headers until its
	// body has been read (0: rest.DefaultResponseBodyTimeout).
	ResponseBodyTimeout time.Duration
	// LogBodies adds headers, query and bodies, redacted, to debug logs.
	LogBodies bool
	// SecretFields are the vendor's own secret body keys, redacted in logs.
	SecretFields []string
	// Locker gives the client's turns (per grant key, per resource); nil
	// until SetLocker, then NewLocker makes a process-local one.
	Locker access.Locker
	// TokenStore shares the account's tokens with other clients
	// (WithTokenStore); nil: the client keeps its own.
	TokenStore access.TokenStore
	// RollbackGrace is how long a failed CreateGrant's clean-up may run on
	// after the caller's context has ended (WithRollbackGrace), in the
	// vendors whose grant is several vendor objects.
	RollbackGrace time.Duration
}

// DefaultRollbackGrace is RollbackGrace's default: long enough for a vendor
// to answer a few deletes, short enough that the caller's deadline still
// means something.
const DefaultRollbackGrace = 5 * time.Second

// SetRollbackGrace sets RollbackGrace; 0 ends the clean-up with the
// caller's context.
func (c *Common) SetRollbackGrace(d time.Duration) error {
	if d < 0 {
		return c.errorf("WithRollbackGrace(%s): must not be negative", d)
	}
	c.RollbackGrace = d
	return nil
}

// SetTokenStore sets the store the client shares its tokens through.
func (c *Common) SetTokenStore(s access.TokenStore) error {
	if s == nil {
		return c.errorf("WithTokenStore(nil): need a TokenStore (access.NewMemoryTokenStore for one process)")
	}
	c.TokenStore = s
	return nil
}

// SetLocker sets the Locker the client and EnsureGrant take turns from.
func (c *Common) SetLocker(l access.Locker) error {
	if l == nil {
		return c.errorf("WithLocker(nil): need a Locker (access.NewMemoryLocker for one process)")
	}
	c.Locker = l
	return nil
}

// LockerOrDefault returns the Locker set, or a new in-memory one: each
// client value has its own, never a package-wide one.
func (c *Common) LockerOrDefault() access.Locker {
	if c.Locker != nil {
		return c.Locker
	}
	return access.NewMemoryLocker()
}

// Connection pool of the default transport: every vendor client talks to
// one host, often from many goroutines, and http.DefaultTransport keeps only
// 2 idle connections per host, so a burst reopens (and re-handshakes) most
// of its connections. 100 leaves room for the connections a burst dials
// while others are being returned (a connection whose caller got another
// one first joins the pool), so a burst of up to 50 goroutines closes none.
const (
	DefaultMaxIdleConnsPerHost = 100
	DefaultMaxIdleConns        = 200
)

// SetMaxBody sets the 2xx body cap.
func (c *Common) SetMaxBody(n int64) error {
	if n <= 0 {
		return c.errorf("WithMaxResponseBody(%d): must be positive", n)
	}
	c.MaxBody = n
	return nil
}

// SetResponseHeaderTimeout sets the per-attempt response-header bound.
func (c *Common) SetResponseHeaderTimeout(d time.Duration) error {
	if d <= 0 {
		return c.errorf("WithResponseHeaderTimeout(%s): must be positive", d)
	}
	c.ResponseHeaderTimeout = d
	return nil
}

// SetResponseBodyTimeout sets the per-attempt bound on reading the body
// once the headers have arrived.
func (c *Common) SetResponseBodyTimeout(d time.Duration) error {
	if d <= 0 {
		return c.errorf("WithResponseBodyTimeout(%s): must be positive", d)
	}
	c.ResponseBodyTimeout = d
	return nil
}

// New returns Common with doorkit's defaults.
func New(vendor, userAgent, baseURL string) Common {
	return Common{Vendor: vendor, UserAgent: userAgent, BaseURL: baseURL, Policy: rest.DefaultPolicy,
		RollbackGrace: DefaultRollbackGrace}
}

// Invalid marks a construction error (a bad option, a missing credential)
// as access.ErrInvalid, keeping its message and chain; nil stays nil.
func Invalid(err error) error {
	if err == nil || errors.Is(err, access.ErrInvalid) {
		return err
	}
	return &invalidError{err}
}

type invalidError struct{ err error }

func (e *invalidError) Error() string        { return e.err.Error() }
func (e *invalidError) Unwrap() error        { return e.err }
func (e *invalidError) Is(target error) bool { return target == access.ErrInvalid }

func (c *Common) errorf(format string, args ...any) error {
	return fmt.Errorf(c.Vendor+": "+format, args...)
}

// SetHTTPClient records hc.
func (c *Common) SetHTTPClient(hc *http.Client) error {
	if hc == nil {
		return c.errorf("WithHTTPClient: nil client")
	}
	c.HTTPClient = hc
	return nil
}

// SetCACertPEM trusts the PEM-encoded certificates in pem.
func (c *Common) SetCACertPEM(pem []byte) error {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return c.errorf("WithCACertPEM: no certificate found in PEM data")
	}
	c.RootCAs = pool
	return nil
}

// SetUserAgent sets the User-Agent header. Empty is an error in every
// vendor package (Havr requires one in its token requests), and so are
// control characters, which would split the header.
func (c *Common) SetUserAgent(ua string) error {
	if ua == "" {
		return c.errorf("WithUserAgent: the user agent must not be empty")
	}
	if strings.ContainsFunc(ua, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return c.errorf("WithUserAgent(%q): control characters are not allowed", ua)
	}
	c.UserAgent = ua
	return nil
}

// SetRetry sets the retry counts and waits.
func (c *Common) SetRetry(maxRetries int, minWait, maxWait time.Duration) error {
	if maxRetries < 0 || minWait < 0 || maxWait < minWait {
		return c.errorf("WithRetry(%d, %s, %s): need maxRetries >= 0 and 0 <= minWait <= maxWait", maxRetries, minWait, maxWait)
	}
	c.Policy.MaxRetries, c.Policy.MinWait, c.Policy.MaxWait = maxRetries, minWait, maxWait
	return nil
}

// SetMaxRetryAfter sets the longest Retry-After waited out.
func (c *Common) SetMaxRetryAfter(d time.Duration) error {
	if d < 0 {
		return c.errorf("WithMaxRetryAfter(%s): must not be negative", d)
	}
	c.Policy.MaxRetryAfter = d
	return nil
}

// SetTokenTimeout bounds each token fetch.
func (c *Common) SetTokenTimeout(d time.Duration) error {
	if d <= 0 {
		return c.errorf("WithTokenTimeout(%s): must be positive", d)
	}
	c.TokenTimeout = d
	return nil
}

// SetRateBudget draws every attempt's slot from b.
func (c *Common) SetRateBudget(b access.RateBudget) error {
	if b == nil {
		return c.errorf("WithRateBudget(nil): need a RateBudget (access.NewMemoryRateBudget for one process)")
	}
	c.RateBudget = b
	return nil
}

// SetRateLimit paces every attempt to limit per second with bursts of burst.
func (c *Common) SetRateLimit(limit rate.Limit, burst int) error {
	if limit <= 0 || burst < 1 {
		return c.errorf("WithRateLimit(%v, %d): need a positive limit (rate.Inf for none) and a burst of at least 1", float64(limit), burst)
	}
	c.RateLimit, c.RateBurst = limit, burst
	return nil
}

// paced wraps rt in the client's pacing: the limit that learns, under
// WithRateLimit's ceiling when set, or the shared budget; none at all with
// WithRateLimit(rate.Inf, ...).
func (c *Common) paced(rt http.RoundTripper) http.RoundTripper {
	if c.RateLimit == rate.Inf && c.RateBudget == nil {
		return rt // WithRateLimit(rate.Inf, ...): no pacing at all
	}
	return pace.New(rt, pace.Config{Limit: c.RateLimit, Burst: c.RateBurst, Budget: c.RateBudget,
		MaxRetryAfter: c.Policy.MaxRetryAfter, RetryAfter: rest.RetryAfter, Logger: c.Logger})
}

// ParseBaseURL validates the base URL: absolute, https (or http only when
// allowHTTP), no query or fragment. The path gets a trailing slash so path
// templates resolve below it.
func (c *Common) ParseBaseURL(allowHTTP bool, hint string) (*url.URL, error) {
	if c.BaseURL == "" {
		return nil, c.errorf("WithBaseURL is required (%s)", hint)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		// Go's parser speaks of path segments ("first path segment in URL
		// cannot contain colon" for 10.0.0.5:8443): say what is wanted.
		return nil, c.errorf("base URL %q: must be https://host[:port] (with the scheme)", c.BaseURL)
	}
	if u.Host == "" || (u.Scheme != "https" && !(allowHTTP && u.Scheme == "http")) {
		return nil, c.errorf("base URL %q: must be https://host[:port]", c.BaseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, c.errorf("base URL %q: must not have a query or fragment", c.BaseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/"
	return u, nil
}

// Transport returns the base transport and per-attempt timeout: the
// caller's client's, or a clone of http.DefaultTransport trusting RootCAs.
func (c *Common) Transport() (http.RoundTripper, time.Duration, error) {
	if c.HTTPClient != nil {
		if c.RootCAs != nil {
			return nil, 0, errors.New(c.Vendor + ": WithRootCAs and WithHTTPClient exclude each other: set RootCAs on your client's transport")
		}
		rt := c.HTTPClient.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		return rt, c.HTTPClient.Timeout, nil
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	t.MaxIdleConns = DefaultMaxIdleConns
	if c.RootCAs != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: c.RootCAs, MinVersion: tls.VersionTLS12}
	}
	return t, 0, nil
}

// RestConfig returns the rest.Config for these settings, with transport
// wrapped for logging and the client-side rate limit; the caller adds auth.
// rest.New bounds and traces every attempt and applies doorkit's redirect
// rule over it, so this holds for a caller's own transport too. Every
// rest.Client made from the returned config shares one limiter, so token
// fetches and API calls are paced together.
func (c *Common) RestConfig(base *url.URL, decodeError func(*http.Response, []byte) error) (rest.Config, error) {
	transport, timeout, err := c.Transport()
	if err != nil {
		return rest.Config{}, err
	}
	// The response bounds sit right over the network transport, so that
	// waiting for a rate-limit slot (here) or a token (the vendor's auth
	// transport, added over this one) does not count against them.
	transport = rest.BoundResponse(transport, c.ResponseHeaderTimeout, c.ResponseBodyTimeout)
	if c.Logger != nil {
		transport = &rest.LogTransport{Base: transport, Logger: c.Logger, Bodies: c.LogBodies, SecretFields: c.SecretFields}
	}
	return rest.Config{
		BaseURL:               base,
		Transport:             c.paced(transport),
		Timeout:               timeout,
		ResponseHeaderTimeout: -1, // bounded above, under pacing and auth
		ResponseBodyTimeout:   -1, // likewise
		MaxBody:               c.MaxBody,
		Policy:                c.Policy,
		UserAgent:             c.UserAgent,
		DecodeError:           decodeError,
		SecretFields:          c.SecretFields,
	}, nil
}
