package clientopt_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/internal/rest"
	"github.com/doorkit/doorkit/internal/storetest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// options are one vendor package's shared options, by their one name: a
// vendor missing one, or giving it another signature, does not compile.
// O is the package's Option type, T what its token callback is given.
type options[O, T any] struct {
	BaseURL               func(string) O
	HTTPClient            func(*http.Client) O
	RootCAs               func(*x509.CertPool) O
	CACertPEM             func([]byte) O
	UserAgent             func(string) O
	Logger                func(*slog.Logger) O
	LogBodies             func() O
	Tokens                func(accessToken, refreshToken string) O
	TokenCallback         func(func(T)) O
	Retry                 func(maxRetries int, minWait, maxWait time.Duration) O
	MaxRetryAfter         func(time.Duration) O
	MaxResponseBody       func(int64) O
	ResponseHeaderTimeout func(time.Duration) O
	ResponseBodyTimeout   func(time.Duration) O
	TokenTimeout          func(time.Duration) O
	RateLimit             func(rate.Limit, int) O
	TokenStore            func(access.TokenStore) O
	RateBudget            func(access.RateBudget) O
	Locker                func(access.Locker) O

	// The options below are shared by the vendors that have the concept,
	// nil in the others.

	// Password logs in as a user with a password: Havr, Primis, resivo.
	// August has no password login (a partner gets tokens through OAuth's
	// authorization-code flow, WithOAuth).
	Password func(user, password string) O
	// RollbackGrace bounds how long a failed CreateGrant's clean-up runs
	// on after the caller's context: Havr and August, whose grants are
	// several vendor objects (resivo and Primis make one, or none).
	RollbackGrace func(time.Duration) O
}

// shared is options with the vendor's types erased, so one table of cases
// runs over every vendor.
type shared = options[any, struct{}]

func erase[O, T any](o options[O, T]) shared {
	return shared{
		BaseURL:               func(u string) any { return o.BaseURL(u) },
		HTTPClient:            func(hc *http.Client) any { return o.HTTPClient(hc) },
		RootCAs:               func(p *x509.CertPool) any { return o.RootCAs(p) },
		CACertPEM:             func(pem []byte) any { return o.CACertPEM(pem) },
		UserAgent:             func(ua string) any { return o.UserAgent(ua) },
		Logger:                func(l *slog.Logger) any { return o.Logger(l) },
		LogBodies:             func() any { return o.LogBodies() },
		Tokens:                func(a, r string) any { return o.Tokens(a, r) },
		TokenCallback:         func(fn func(struct{})) any { return o.TokenCallback(func(T) { fn(struct{}{}) }) },
		Retry:                 func(n int, lo, hi time.Duration) any { return o.Retry(n, lo, hi) },
		MaxRetryAfter:         func(d time.Duration) any { return o.MaxRetryAfter(d) },
		MaxResponseBody:       func(n int64) any { return o.MaxResponseBody(n) },
		ResponseHeaderTimeout: func(d time.Duration) any { return o.ResponseHeaderTimeout(d) },
		ResponseBodyTimeout:   func(d time.Duration) any { return o.ResponseBodyTimeout(d) },
		TokenTimeout:          func(d time.Duration) any { return o.TokenTimeout(d) },
		RateLimit:             func(l rate.Limit, b int) any { return o.RateLimit(l, b) },
		TokenStore:            func(s access.TokenStore) any { return o.TokenStore(s) },
		RateBudget:            func(b access.RateBudget) any { return o.RateBudget(b) },
		Locker:                func(l access.Locker) any { return o.Locker(l) },
		Password:              eraseOptional2(o.Password),
		RollbackGrace:         eraseOptional(o.RollbackGrace),
	}
}

func eraseOptional[A, O any](f func(A) O) func(A) any {
	if f == nil {
		return nil
	}
	return func(a A) any { return f(a) }
}

func eraseOptional2[A, B, O any](f func(A, B) O) func(A, B) any {
	if f == nil {
		return nil
	}
	return func(a A, b B) any { return f(a, b) }
}

// as turns erased options back into the vendor's.
func as[O any](opts []any) []O {
	out := make([]O, len(opts))
	for i, o := range opts {
		out[i] = o.(O)
	}
	return out
}

// fake is what a case may point a client at: a vendor's in-memory fake.
type fake struct {
	URL      string
	PEM      []byte       // the fake's self-signed certificate
	Client   *http.Client // trusts the fake
	Controls fakeControls
}

// fakeControls are what every vendor's fake offers, by one name: a fake
// missing one, or spelling it otherwise, does not compile.
type fakeControls interface {
	ExpireAccessTokens()
}

// The fakes of vendors whose tokens announce a lifetime set it by one name
// (Havr's access tokens have none: they just start answering 401).
var (
	_ interface{ SetTokenTTL(time.Duration) } = (*primistest.Server)(nil)
	_ interface{ SetTokenTTL(time.Duration) } = (*augusttest.Server)(nil)
	_ interface{ SetTokenTTL(time.Duration) } = (*resivotest.Server)(nil)
)

func fakeOf(srv *httptest.Server, controls fakeControls) fake {
	return fake{URL: srv.URL, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}),
		Client: srv.Client(), Controls: controls}
}

// vendor is one vendor package under test.
type vendor struct {
	name string
	opts shared
	// secret is a credential the client sends, which no log may show; with
	// user, the fake's password login where the vendor has one.
	secret, user string
	// newClient starts the vendor's fake and builds a client with the
	// vendor's own credentials and the shared options opts returns (base
	// URL included), and returns one authorised call.
	newClient func(t *testing.T, opts func(fake) []any) (call func() error, err error)
}

func vendors() []vendor {
	ctx := context.Background()
	return []vendor{
		{
			name: "havr", secret: havrtest.OwnerPassword, user: havrtest.OwnerEmail,
			opts: erase(options[havr.Option, havr.Tokens]{
				BaseURL: havr.WithBaseURL, HTTPClient: havr.WithHTTPClient, RootCAs: havr.WithRootCAs,
				CACertPEM: havr.WithCACertPEM, UserAgent: havr.WithUserAgent, Logger: havr.WithLogger,
				LogBodies: havr.WithLogBodies, Tokens: havr.WithTokens, TokenCallback: havr.WithTokenCallback,
				Retry: havr.WithRetry, MaxRetryAfter: havr.WithMaxRetryAfter, MaxResponseBody: havr.WithMaxResponseBody,
				ResponseHeaderTimeout: havr.WithResponseHeaderTimeout, ResponseBodyTimeout: havr.WithResponseBodyTimeout,
				TokenTimeout: havr.WithTokenTimeout, RateLimit: havr.WithRateLimit, TokenStore: havr.WithTokenStore,
				RateBudget: havr.WithRateBudget, Locker: havr.WithLocker, Password: havr.WithPassword, RollbackGrace: havr.WithRollbackGrace,
			}),
			newClient: func(t *testing.T, opts func(fake) []any) (func() error, error) {
				srv := havrtest.NewServer()
				t.Cleanup(srv.Close)
				own := []havr.Option{havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword)}
				c, err := havr.New(append(own, as[havr.Option](opts(fakeOf(srv.Server, srv)))...)...)
				if err != nil {
					return nil, err
				}
				return func() error { _, _, err := c.DoorLocks.List(ctx); return err }, nil
			},
		},
		{
			name: "primis", secret: primistest.UserPassword, user: primistest.UserEmail,
			opts: erase(options[primis.Option, primis.Tokens]{
				BaseURL: primis.WithBaseURL, HTTPClient: primis.WithHTTPClient, RootCAs: primis.WithRootCAs,
				CACertPEM: primis.WithCACertPEM, UserAgent: primis.WithUserAgent, Logger: primis.WithLogger,
				LogBodies: primis.WithLogBodies, Tokens: primis.WithTokens, TokenCallback: primis.WithTokenCallback,
				Retry: primis.WithRetry, MaxRetryAfter: primis.WithMaxRetryAfter, MaxResponseBody: primis.WithMaxResponseBody,
				ResponseHeaderTimeout: primis.WithResponseHeaderTimeout, ResponseBodyTimeout: primis.WithResponseBodyTimeout,
				TokenTimeout: primis.WithTokenTimeout, RateLimit: primis.WithRateLimit, TokenStore: primis.WithTokenStore,
				RateBudget: primis.WithRateBudget, Locker: primis.WithLocker, Password: primis.WithPassword,
			}),
			newClient: func(t *testing.T, opts func(fake) []any) (func() error, error) {
				srv := primistest.NewServer()
				t.Cleanup(srv.Close)
				own := []primis.Option{primis.WithPhoneID("consistency"), primis.WithPassword(primistest.UserEmail, primistest.UserPassword)}
				c, err := primis.New(append(own, as[primis.Option](opts(fakeOf(srv.Server, srv)))...)...)
				if err != nil {
					return nil, err
				}
				return func() error { _, err := c.ListDoors(ctx); return err }, nil
			},
		},
		{
			name: "august", secret: augusttest.APIKey,
			opts: erase(options[august.Option, august.Tokens]{
				BaseURL: august.WithBaseURL, HTTPClient: august.WithHTTPClient, RootCAs: august.WithRootCAs,
				CACertPEM: august.WithCACertPEM, UserAgent: august.WithUserAgent, Logger: august.WithLogger,
				LogBodies: august.WithLogBodies, Tokens: august.WithTokens, TokenCallback: august.WithTokenCallback,
				Retry: august.WithRetry, MaxRetryAfter: august.WithMaxRetryAfter, MaxResponseBody: august.WithMaxResponseBody,
				ResponseHeaderTimeout: august.WithResponseHeaderTimeout, ResponseBodyTimeout: august.WithResponseBodyTimeout,
				TokenTimeout: august.WithTokenTimeout, RateLimit: august.WithRateLimit, TokenStore: august.WithTokenStore,
				RateBudget: august.WithRateBudget, Locker: august.WithLocker, RollbackGrace: august.WithRollbackGrace,
			}),
			newClient: func(t *testing.T, opts func(fake) []any) (func() error, error) {
				srv := augusttest.NewServer()
				t.Cleanup(srv.Close)
				// August's access token is issued by the partner's OAuth
				// flow; the fake mints one (later shared options win).
				own := []august.Option{august.WithAPIKey(augusttest.APIKey), august.WithTokens(srv.NewToken(augusttest.OwnerID), "")}
				c, err := august.New(append(own, as[august.Option](opts(fakeOf(srv.Server, srv)))...)...)
				if err != nil {
					return nil, err
				}
				return func() error { _, err := c.ListDoors(ctx); return err }, nil
			},
		},
		{
			name: "resivo", secret: resivotest.UserPassword, user: resivotest.UserEmail,
			opts: erase(options[resivo.Option, resivo.Tokens]{
				BaseURL: resivo.WithBaseURL, HTTPClient: resivo.WithHTTPClient, RootCAs: resivo.WithRootCAs,
				CACertPEM: resivo.WithCACertPEM, UserAgent: resivo.WithUserAgent, Logger: resivo.WithLogger,
				LogBodies: resivo.WithLogBodies, Tokens: resivo.WithTokens, TokenCallback: resivo.WithTokenCallback,
				Retry: resivo.WithRetry, MaxRetryAfter: resivo.WithMaxRetryAfter, MaxResponseBody: resivo.WithMaxResponseBody,
				ResponseHeaderTimeout: resivo.WithResponseHeaderTimeout, ResponseBodyTimeout: resivo.WithResponseBodyTimeout,
				TokenTimeout: resivo.WithTokenTimeout, RateLimit: resivo.WithRateLimit, TokenStore: resivo.WithTokenStore,
				RateBudget: resivo.WithRateBudget, Locker: resivo.WithLocker, Password: resivo.WithPassword,
			}),
			newClient: func(t *testing.T, opts func(fake) []any) (func() error, error) {
				srv := resivotest.NewServer()
				t.Cleanup(srv.Close)
				own := []resivo.Option{resivo.WithPassword(resivotest.UserEmail, resivotest.UserPassword), resivo.WithSites(resivotest.SiteID)}
				c, err := resivo.New(append(own, as[resivo.Option](opts(fakeOf(srv.Server, srv)))...)...)
				if err != nil {
					return nil, err
				}
				return func() error { _, err := c.ListDoors(ctx); return err }, nil
			},
		},
	}
}

// TestSharedOptionsBehaveTheSame: every shared option accepts and refuses
// the same values in every vendor package, and does the same.
func TestSharedOptionsBehaveTheSame(t *testing.T) {
	ok := func(t *testing.T, call func() error) { assert.NoError(t, call()) }
	cases := []struct {
		name    string
		opts    func(o shared, f fake, log *slog.Logger) []any
		wantErr bool // from New, with the package's name in front
		check   func(t *testing.T, call func() error)
		logs    string // "" nothing; "short": method, path, status; "bodies": headers and bodies too, redacted
	}{
		{name: "the fake's CA as PEM, default user agent", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.CACertPEM(f.PEM)}
		}, check: ok},
		{name: "own user agent", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.CACertPEM(f.PEM), o.UserAgent("booking-service/2.1")}
		}, check: ok},
		{name: "empty user agent", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.UserAgent("")}
		}},
		{name: "user agent with CR LF", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.UserAgent("x\r\nX-Injected: 1")}
		}},
		{name: "PEM without a certificate", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.CACertPEM([]byte("not a certificate"))}
		}},
		{name: "the fake's CA as a pool", opts: func(o shared, f fake, _ *slog.Logger) []any {
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(f.PEM)
			return []any{o.BaseURL(f.URL), o.RootCAs(pool)}
		}, check: ok},
		{name: "no CA: the private certificate is refused", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.Retry(0, 0, 0)}
		}, check: func(t *testing.T, call func() error) {
			err := call()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "certificate")
		}},
		{name: "own HTTP client", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client)}
		}, check: ok},
		{name: "nil HTTP client", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(nil)}
		}},
		{name: "own HTTP client and CAs exclude each other", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.CACertPEM(f.PEM)}
		}},
		{name: "plain http base URL", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(strings.Replace(f.URL, "https://", "http://", 1)), o.HTTPClient(f.Client)}
		}},
		{name: "base URL with a query", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL + "/?x=1"), o.HTTPClient(f.Client)}
		}},
		{name: "retries off", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.Retry(0, 0, 0)}
		}, check: ok},
		{name: "negative retries", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.Retry(-1, 0, 0)}
		}},
		{name: "retry waits the wrong way round", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.Retry(1, time.Second, time.Millisecond)}
		}},
		{name: "negative max Retry-After", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.MaxRetryAfter(-time.Second)}
		}},
		{name: "zero response body cap", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.MaxResponseBody(0)}
		}},
		{name: "a body over the cap is an error", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.MaxResponseBody(8), o.Retry(0, 0, 0)}
		}, check: func(t *testing.T, call func() error) {
			err := call()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "too large")
		}},
		{name: "zero response-header timeout", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.ResponseHeaderTimeout(0)}
		}},
		{name: "response-header timeout", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.ResponseHeaderTimeout(time.Minute)}
		}, check: ok},
		{name: "zero response-body timeout", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.ResponseBodyTimeout(0)}
		}},
		{name: "negative response-body timeout", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.ResponseBodyTimeout(-time.Second)}
		}},
		{name: "response-body timeout", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.ResponseBodyTimeout(time.Minute)}
		}, check: ok},
		{name: "zero token timeout", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.TokenTimeout(0)}
		}},
		{name: "token timeout", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.TokenTimeout(time.Minute)}
		}, check: ok},
		{name: "zero rate limit", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.RateLimit(0, 1)}
		}},
		{name: "rate limit without a burst", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.RateLimit(10, 0)}
		}},
		{name: "rate limit", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.RateLimit(1000, 10)}
		}, check: ok},
		{name: "nil rate budget", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.RateBudget(nil)}
		}},
		{name: "rate budget", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.RateBudget(access.NewMemoryRateBudget(1000, 10))}
		}, check: ok},
		{name: "nil locker", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.Locker(nil)}
		}},
		{name: "locker", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.Locker(access.NewMemoryLocker())}
		}, check: ok},
		{name: "nil token store", wantErr: true, opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.TokenStore(nil)}
		}},
		{name: "token store", opts: func(o shared, f fake, _ *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.TokenStore(access.NewMemoryTokenStore())}
		}, check: ok},
		{name: "logger: method, path and status, no headers", opts: func(o shared, f fake, log *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.Logger(log)}
		}, check: ok, logs: "short"},
		{name: "logger with bodies, redacted", opts: func(o shared, f fake, log *slog.Logger) []any {
			return []any{o.BaseURL(f.URL), o.HTTPClient(f.Client), o.Logger(log), o.LogBodies()}
		}, check: ok, logs: "bodies"},
	}
	for _, v := range vendors() {
		for _, tc := range cases {
			t.Run(v.name+"/"+tc.name, func(t *testing.T) {
				var logged bytes.Buffer
				log := slog.New(slog.NewJSONHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
				call, err := v.newClient(t, func(f fake) []any { return tc.opts(v.opts, f, log) })
				if tc.wantErr {
					require.Error(t, err)
					assert.True(t, strings.HasPrefix(err.Error(), v.name+": "), "%q names its package", err)
					assert.ErrorIs(t, err, access.ErrInvalid)
					return
				}
				require.NoError(t, err)
				tc.check(t, call)
				out := logged.String()
				assert.NotContains(t, out, v.secret, "no credential in the logs")
				switch tc.logs {
				case "short":
					assert.Contains(t, out, `"method":`)
					assert.Contains(t, out, `"status":200`)
					assert.NotContains(t, out, "request_header")
				case "bodies":
					assert.Contains(t, out, "request_header")
					assert.Contains(t, out, rest.Redacted)
				default:
					assert.Empty(t, out, "nothing is logged without a logger")
				}
			})
		}
	}
}

// TestPasswordLoginBehavesTheSame: the vendors that log in with a password
// take it through one option, WithPassword, which refuses a missing user or
// password before any request, and answer a wrong one with ErrUnauthorized
// without showing it.
func TestPasswordLoginBehavesTheSame(t *testing.T) {
	for _, v := range vendors() {
		if v.opts.Password == nil {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			for _, bad := range [][2]string{{"", v.secret}, {v.user, ""}} {
				_, err := v.newClient(t, func(f fake) []any {
					return []any{v.opts.BaseURL(f.URL), v.opts.HTTPClient(f.Client), v.opts.Password(bad[0], bad[1])}
				})
				require.Error(t, err, "user %q", bad[0])
				assert.True(t, strings.HasPrefix(err.Error(), v.name+": WithPassword: "), "%q names its package and option", err)
				assert.ErrorIs(t, err, access.ErrInvalid)
			}

			var logged bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
			const wrong = "Wrong-Passw0rd-7"
			call, err := v.newClient(t, func(f fake) []any {
				return []any{v.opts.BaseURL(f.URL), v.opts.HTTPClient(f.Client), v.opts.Logger(log), v.opts.LogBodies(),
					v.opts.Password(v.user, wrong), v.opts.Retry(0, 0, 0)}
			})
			require.NoError(t, err)
			err = call()
			require.ErrorIs(t, err, access.ErrUnauthorized)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), wrong)
			assert.NotContains(t, logged.String(), wrong)

			call, err = v.newClient(t, func(f fake) []any {
				return []any{v.opts.BaseURL(f.URL), v.opts.HTTPClient(f.Client), v.opts.Password(v.user, v.secret)}
			})
			require.NoError(t, err)
			require.NoError(t, call())
		})
	}
}

// TestRollbackGraceBehavesTheSame: the vendors whose CreateGrant cleans up
// after a part-way failure bound the clean-up by one option with one
// default.
func TestRollbackGraceBehavesTheSame(t *testing.T) {
	assert.Equal(t, havr.DefaultRollbackGrace, august.DefaultRollbackGrace)
	n := 0
	for _, v := range vendors() {
		if v.opts.RollbackGrace == nil {
			continue
		}
		n++
		t.Run(v.name, func(t *testing.T) {
			_, err := v.newClient(t, func(f fake) []any {
				return []any{v.opts.BaseURL(f.URL), v.opts.HTTPClient(f.Client), v.opts.RollbackGrace(-time.Second)}
			})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), v.name+": WithRollbackGrace"), "%q names its package and option", err)
			assert.ErrorIs(t, err, access.ErrInvalid)
			for _, d := range []time.Duration{0, time.Minute} {
				call, err := v.newClient(t, func(f fake) []any {
					return []any{v.opts.BaseURL(f.URL), v.opts.HTTPClient(f.Client), v.opts.RollbackGrace(d)}
				})
				require.NoError(t, err, "grace %s", d)
				require.NoError(t, call())
			}
		})
	}
	assert.Equal(t, 2, n, "Havr and August")
}

// TestExpiredAccessTokenIsReplaced: when the fake expires every access
// token, the next call logs in again where the client holds a password
// (Havr, Primis, resivo); August's client, holding an access token without
// a refresh token, fails with ErrUnauthorized: the partner must run OAuth
// again.
func TestExpiredAccessTokenIsReplaced(t *testing.T) {
	for _, v := range vendors() {
		t.Run(v.name, func(t *testing.T) {
			var controls fakeControls
			call, err := v.newClient(t, func(f fake) []any {
				controls = f.Controls
				return []any{v.opts.BaseURL(f.URL), v.opts.HTTPClient(f.Client)}
			})
			require.NoError(t, err)
			require.NoError(t, call())
			controls.ExpireAccessTokens()
			err = call()
			if v.opts.Password == nil {
				assert.ErrorIs(t, err, access.ErrUnauthorized)
				return
			}
			assert.NoError(t, err)
		})
	}
}

// TestAPIVersionIsOneOption: the vendors whose API has versions select one
// with WithAPIVersion. resivo versions the whole API by a path prefix, so it
// is set per client; August versions each route by its Accept-Version
// header (its clients send 4.0.0 for activities and 0.0.1 elsewhere), so it
// is set per call. Either way a malformed version is access.ErrInvalid
// before any request, and a well-formed one is what the vendor gets.
func TestAPIVersionIsOneOption(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.Path + " " + r.Header.Get("Accept-Version"))
		_, _ = w.Write([]byte(`{"id":"s1","displayName":"x","LockID":"0123456789ABCDEF0123456789ABCDEF","status":"kAugLockState_Locked"}`))
	}))
	defer srv.Close()
	ctx := context.Background()
	const lockID = "0123456789ABCDEF0123456789ABCDEF"

	t.Run("resivo", func(t *testing.T) {
		for _, bad := range []string{"", "8", "v8/../x", "v8\r\n"} {
			_, err := resivo.New(resivo.WithTokens("t", ""), resivo.WithAPIVersion(bad))
			require.Error(t, err, "%q", bad)
			assert.True(t, strings.HasPrefix(err.Error(), "resivo: WithAPIVersion"), "%q", err)
			assert.ErrorIs(t, err, access.ErrInvalid)
		}
		c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
			resivo.WithTokens("t", ""), resivo.WithAPIVersion("v9"))
		require.NoError(t, err)
		_, _, err = c.Sites.Get(ctx, "s1")
		require.NoError(t, err)
		assert.Equal(t, "/v9/sites/s1 ", got.Load())
	})
	t.Run("august", func(t *testing.T) {
		c, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(srv.Client()),
			august.WithAPIKey("k"), august.WithTokens("t", ""))
		require.NoError(t, err)
		got.Store("")
		for _, bad := range []string{"", "4", "v4.0.0", "4.0.0\r\nX: 1"} {
			_, _, err := c.Locks.GetStatus(ctx, lockID, august.WithAPIVersion(bad))
			assert.ErrorIs(t, err, access.ErrInvalid, "%q", bad)
		}
		assert.Empty(t, got.Load(), "nothing sent")
		_, _, err = c.Locks.GetStatus(ctx, lockID, august.WithAPIVersion("4.0.0"))
		require.NoError(t, err)
		assert.Equal(t, "/locks/"+lockID+"/status 4.0.0", got.Load())
	})
}

// One word per idea, held by the compiler: the service that gets and gives
// up tokens is Auth in every vendor (August's holds its OAuth flow); an
// iterator beside a page method is All.
func _(h *havr.Client, p *primis.Client, a *august.Client, r *resivo.Client) {
	_, _, _, _ = h.Auth, p.Auth, a.Auth, r.Auth
	_, _ = h.Notifications.All, a.SubUsers.All
}

// TestValidatorsMatchErrInvalid: every exported check of a value is
// Validate<Thing>, returning an error that matches access.ErrInvalid.
func TestValidatorsMatchErrInvalid(t *testing.T) {
	for name, err := range map[string]error{
		"access.ValidateKey":        access.ValidateKey("a\nb"),
		"access.ValidateEmail":      access.ValidateEmail("ada"),
		"havr.ValidatePassword":     havr.ValidatePassword("short"),
		"havr.ValidatePhoneNumber":  havr.ValidatePhoneNumber("12"),
		"primis.ValidatePassword":   primis.ValidatePassword("short"),
		"august.ValidatePIN":        august.ValidatePIN("12a4", nil),
		"august.ValidateLockID":     august.ValidateLockID("abc"),
		"august.ValidateLockID(lc)": august.ValidateLockID(strings.Repeat("a", 32)),
	} {
		assert.ErrorIs(t, err, access.ErrInvalid, name)
	}
	require.NoError(t, august.ValidateLockID(strings.Repeat("A", 32)))
	require.NoError(t, august.ValidatePIN("1234", nil))
}

// TestTokenCallbackReportsNewTokens: every vendor reports the tokens its
// first call obtains or is given back (Havr, Primis and resivo log in,
// August rotates the access token on every answer).
func TestTokenCallbackReportsNewTokens(t *testing.T) {
	for _, v := range vendors() {
		t.Run(v.name, func(t *testing.T) {
			var reported atomic.Int32
			call, err := v.newClient(t, func(f fake) []any {
				return []any{v.opts.BaseURL(f.URL), v.opts.HTTPClient(f.Client),
					v.opts.TokenCallback(func(struct{}) { reported.Add(1) })}
			})
			require.NoError(t, err)
			require.NoError(t, call())
			assert.Positive(t, reported.Load())
		})
	}
}

// TestTokenStoreSteadyStateCostsNoStoreCall: with WithTokenStore, once a
// client holds a token its calls cost no store round trip in any vendor
// package; the store is consulted only to obtain a token.
func TestTokenStoreSteadyStateCostsNoStoreCall(t *testing.T) {
	for _, v := range vendors() {
		t.Run(v.name, func(t *testing.T) {
			store := storetest.NewTokenStore(nil)
			call, err := v.newClient(t, func(f fake) []any {
				return []any{v.opts.BaseURL(f.URL), v.opts.HTTPClient(f.Client), v.opts.TokenStore(store)}
			})
			require.NoError(t, err)
			require.NoError(t, call())
			require.Positive(t, store.Total(), "the first call reads the store")
			before := store.Total()
			for range 50 {
				require.NoError(t, call())
			}
			assert.Equal(t, before, store.Total(), "store calls for 50 steady-state calls")
		})
	}
}

// TestGodocNamesNoMissingDesignDoc: the design notes are not part of the
// repository, so no comment may send a reader to them.
func TestGodocNamesNoMissingDesignDoc(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "DESIGN"+".md")); err == nil {
		t.Skip("the design document is in the repository")
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		assert.NotContains(t, string(b), "DESIGN"+".md", path)
		return nil
	})
	require.NoError(t, err)
}

// TestVendorDocsSayOnlyWhatDiffers (issue 14 item 18): shared behaviour is
// said once, in README's "Behaviour you can rely on" and package access; a
// vendor package's doc says what is its vendor's own, names nothing
// internal, and says what counts as evidence of success.
func TestVendorDocsSayOnlyWhatDiffers(t *testing.T) {
	shared := []string{
		"# Bounds", "# Retries", "# Logging", "# Your own transport",
		"lends the client its Transport", "is 2 unless set", "read up to 32 MiB",
		"Backoff is exponential", "A redirect is followed only",
		"Every error a call returns says what happened", "New makes no request",
	}
	internal := []string{"rest.", "clientopt", "maxRepairs", "internal/"}
	for _, v := range []string{"havr", "primis", "august", "resivo"} {
		t.Run(v, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", v, "doc.go"))
			require.NoError(t, err)
			doc := string(b)
			for _, s := range append(shared, internal...) {
				assert.False(t, strings.Contains(doc, s), "%s/doc.go says %q", v, s)
			}
			for _, s := range []string{"# Evidence of success", `README's "Behaviour you can rely on"`} {
				assert.True(t, strings.Contains(doc, s), "%s/doc.go lacks %q", v, s)
			}
		})
	}
}
