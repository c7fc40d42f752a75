package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
)

// vendorError is a vendor *Error as havr and primis have: it applies
// MatchSentinel with a code of its own.
type vendorError struct {
	Status int
	Code   string
}

func (e *vendorError) Error() string { return fmt.Sprintf("vendor: %d %s", e.Status, e.Code) }

func (e *vendorError) Is(target error) bool {
	var byCode error
	if strings.HasPrefix(e.Code, "invalid_") {
		byCode = access.ErrInvalid
	} else if strings.HasSuffix(e.Code, "_exists") {
		byCode = access.ErrConflict
	}
	return MatchSentinel(target, e.Status, byCode)
}

func decodeVendorError(resp *http.Response, body []byte) error {
	var b struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(body, &b)
	return &vendorError{Status: resp.StatusCode, Code: b.Code}
}

// secretQuery is sent with every call below: no error may show it.
var secretQuery = url.Values{"token": {"ONE-TIME-SECRET"}, "page": {"2"}}

func classClient(t *testing.T, base string, rt http.RoundTripper, headerTimeout time.Duration) *Client {
	t.Helper()
	u, err := url.Parse(base)
	require.NoError(t, err)
	return New(Config{BaseURL: u, Transport: rt, ResponseHeaderTimeout: headerTimeout, DecodeError: decodeVendorError})
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// silentAddr accepts connections and never answers, not even a TLS
// handshake.
func silentAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; conn.Close() }()
		}
	}()
	return ln.Addr().String()
}

func hangUp(w http.ResponseWriter, r *http.Request) {
	_, _ = io.ReadAll(r.Body)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func status(code int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

func truncated(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "100")
	_, _ = io.WriteString(w, `{"id":"b1",`)
}

func TestErrorClasses(t *testing.T) {
	var (
		unavailable = []error{access.ErrUnavailable}
		unknown     = []error{access.ErrOutcomeUnknown, access.ErrUnavailable}
	)
	type setup func(t *testing.T) *Client
	server := func(h http.HandlerFunc) setup {
		return func(t *testing.T) *Client {
			srv := serve(t, h)
			// Long enough for a loaded machine to write the request.
			return classClient(t, srv.URL, srv.Client().Transport, 250*time.Millisecond)
		}
	}
	at := func(base string, rt http.RoundTripper) setup {
		return func(t *testing.T) *Client { return classClient(t, base, rt, 100*time.Millisecond) }
	}
	tests := []struct {
		name    string
		client  setup
		call    func() *Call
		ctx     func() (context.Context, context.CancelFunc)
		is      []error
		isNot   []error
		vendor  bool // errors.As finds the vendor's error
		nothing bool // nothing may be sent
	}{
		// Local validation: nothing sent.
		{name: "bad path parameter", call: func() *Call { return Post("grants/%v", "../x") }, is: []error{access.ErrInvalid}, nothing: true},
		{name: "missing path parameter", call: func() *Call { return Get("grants/%v") }, is: []error{access.ErrInvalid}, nothing: true},
		{name: "extra path parameter", call: func() *Call { return Get("grants", "g1") }, is: []error{access.ErrInvalid}, nothing: true},
		{name: "bad query", call: func() *Call { return Get("grants").WithQuery(42) }, is: []error{access.ErrInvalid}, nothing: true},
		{name: "bad body", call: func() *Call { return Post("grants").WithBody(make(chan int)) }, is: []error{access.ErrInvalid}, nothing: true},

		// Nothing reached the vendor: unavailable, even for a POST.
		{name: "dial refused", client: func(t *testing.T) *Client { return at("http://"+closedAddr(t), &http.Transport{})(t) },
			call: func() *Call { return Post("grants") }, is: unavailable, isNot: unknown[:1]},
		{name: "DNS failure", client: at("http://vendor.example.invalid", &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return nil, &net.DNSError{Err: "no such host", Name: "vendor.example.invalid", IsNotFound: true}
			}}),
			call: func() *Call { return Post("grants") }, is: unavailable, isNot: unknown[:1]},
		{name: "TLS certificate refused", client: func(t *testing.T) *Client {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("request reached the server") }))
			srv.Config.ErrorLog = discardLog()
			t.Cleanup(srv.Close)
			return classClient(t, srv.URL, &http.Transport{}, time.Second)
		}, call: func() *Call { return Post("grants") }, is: unavailable, isNot: unknown[:1]},
		{name: "timeout in the TLS handshake", client: func(t *testing.T) *Client { return at("https://"+silentAddr(t), &http.Transport{})(t) },
			call: func() *Call { return Post("grants") }, is: []error{access.ErrUnavailable, ErrResponseHeaderTimeout}, isNot: unknown[:1]},

		// The request may have reached the vendor.
		{name: "connection dropped after a POST", client: server(hangUp), call: func() *Call { return Post("grants") }, is: unknown},
		{name: "connection dropped after a GET", client: server(hangUp), call: func() *Call { return Get("grants") }, is: unavailable, isNot: unknown[:1]},
		{name: "connection dropped after a Once GET", client: server(hangUp), call: func() *Call { return Get("verify").Once() }, is: unknown},
		{name: "timeout after a POST was written", client: server(blocking(nil)), call: func() *Call { return Post("grants") },
			is: append([]error{ErrResponseHeaderTimeout}, unknown...)},
		{name: "timeout after a PUT was written", client: server(blocking(nil)), call: func() *Call { return Put("grants/g1") },
			is: []error{ErrResponseHeaderTimeout, access.ErrUnavailable}, isNot: unknown[:1]},
		{name: "500 to a POST", client: server(status(500, `{"code":"boom"}`)), call: func() *Call { return Post("grants") }, is: unknown, vendor: true},
		{name: "502 to a PATCH", client: server(status(502, ``)), call: func() *Call { return Patch("grants/g1") }, is: unknown, vendor: true},
		{name: "500 to a GET", client: server(status(500, ``)), call: func() *Call { return Get("grants") }, is: unavailable, isNot: unknown[:1], vendor: true},
		{name: "503 with Retry-After to a POST: not acted on", client: server(status(503, ``, "Retry-After", "3600")),
			call: func() *Call { return Post("grants") }, is: unavailable, isNot: unknown[:1], vendor: true},
		{name: "truncated 2xx body of a POST", client: server(truncated), call: func() *Call { return Post("grants") }, is: unknown},
		{name: "truncated 2xx body of a GET", client: server(truncated), call: func() *Call { return Get("grants") }, is: unavailable, isNot: unknown[:1]},
		{name: "malformed 2xx body of a POST", client: server(status(201, `<html>`)), call: func() *Call { return Post("grants") }, is: unknown},
		{name: "empty 2xx body of a POST", client: server(status(200, ``)), call: func() *Call { return Post("grants") }, is: append([]error{ErrEmptyBody}, unknown...)},

		// The caller's context ended.
		{name: "context cancelled before sending", call: func() *Call { return Post("grants") },
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			}, is: []error{context.Canceled}, isNot: unavailable, nothing: true},
		{name: "deadline while a POST waits", client: func(t *testing.T) *Client {
			srv := serve(t, blocking(nil))
			return classClient(t, srv.URL, srv.Client().Transport, time.Minute)
		}, call: func() *Call { return Post("grants") },
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 250*time.Millisecond)
			},
			is: append([]error{context.DeadlineExceeded}, unknown...)},
		{name: "deadline while a GET waits", client: func(t *testing.T) *Client {
			srv := serve(t, blocking(nil))
			return classClient(t, srv.URL, srv.Client().Transport, time.Minute)
		}, call: func() *Call { return Get("grants") },
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 30*time.Millisecond)
			},
			is: []error{context.DeadlineExceeded}, isNot: unknown[:1]},

		// The vendor answered.
		{name: "404", client: server(status(404, `{"code":"grant_not_found"}`)), call: func() *Call { return Post("grants") },
			is: []error{access.ErrNotFound}, isNot: unavailable, vendor: true},
		{name: "401 with an invalid_ code", client: server(status(401, `{"code":"invalid_credentials"}`)), call: func() *Call { return Post("login") },
			is: []error{access.ErrUnauthorized}, isNot: []error{access.ErrInvalid, access.ErrUnavailable}, vendor: true},
		{name: "403 with an invalid_ code", client: server(status(403, `{"code":"invalid_password"}`)), call: func() *Call { return Post("email") },
			is: []error{access.ErrForbidden}, isNot: unavailable, vendor: true},
		{name: "409", client: server(status(409, `{"code":"key_exists"}`)), call: func() *Call { return Post("grants") },
			is: []error{access.ErrConflict}, isNot: unavailable, vendor: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := failing(errors.New("nothing may be sent"))
			var c *Client
			if tt.client != nil {
				c = tt.client(t)
			} else {
				c = classClient(t, testBase, rt, time.Second)
			}
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			call := tt.call()
			if call.Query == nil {
				call.WithQuery(secretQuery)
			}
			_, err := c.Do(ctx, call, new(beacon))
			require.Error(t, err)
			for _, want := range tt.is {
				assert.ErrorIs(t, err, want)
			}
			for _, not := range tt.isNot {
				assert.NotErrorIs(t, err, not)
			}
			var verr *vendorError
			assert.Equal(t, tt.vendor, errors.As(err, &verr), "errors.As finds the vendor error: %v", err)
			if tt.nothing {
				assert.Zero(t, rt.calls())
			}
			assert.NotContains(t, err.Error(), "ONE-TIME-SECRET", "the query is redacted")
		})
	}
}

func TestRequestErrorRedactsURL(t *testing.T) {
	c := classClient(t, "http://"+closedAddr(t)+"/v1", &http.Transport{}, time.Second)
	_, err := c.Do(context.Background(), Get("users/verify_email").Once().
		WithQuery(url.Values{"token": {"ONE-TIME-SECRET"}, "email": {"ada@example.com"}}), nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "ONE-TIME-SECRET")
	assert.NotContains(t, err.Error(), "ada@example.com")
	assert.Contains(t, err.Error(), "/v1/users/verify_email?email=[REDACTED]&token=[REDACTED]")
	var ue *url.Error
	assert.False(t, errors.As(err, &ue), "no *url.Error with the full URL stays in the chain")
}

func TestRedactQuery(t *testing.T) {
	u, _ := url.Parse("https://ada:pw@api.example.test/v1/x?b=2&a=1&a=3#frag")
	assert.Equal(t, "https://api.example.test/v1/x?a=[REDACTED]&b=[REDACTED]", RedactQuery(u))
	u, _ = url.Parse("https://api.example.test/v1/x")
	assert.Equal(t, "https://api.example.test/v1/x", RedactQuery(u))
	assert.Empty(t, RedactQuery(nil))
}

func TestMatchSentinel(t *testing.T) {
	tests := []struct {
		status int
		byCode error
		is     []error
		isNot  []error
	}{
		{401, access.ErrInvalid, []error{access.ErrUnauthorized}, []error{access.ErrInvalid}},
		{401, nil, []error{access.ErrUnauthorized}, nil},
		{403, access.ErrConflict, []error{access.ErrForbidden, access.ErrConflict}, []error{access.ErrInvalid}},
		{403, nil, []error{access.ErrForbidden}, nil},
		{404, access.ErrConflict, []error{access.ErrConflict}, []error{access.ErrNotFound}},
		{404, nil, []error{access.ErrNotFound}, nil},
		{418, nil, nil, []error{access.ErrInvalid, nil}},
	}
	for _, tt := range tests {
		for _, want := range tt.is {
			assert.True(t, MatchSentinel(want, tt.status, tt.byCode), "%d %v is %v", tt.status, tt.byCode, want)
		}
		for _, not := range tt.isNot {
			assert.False(t, MatchSentinel(not, tt.status, tt.byCode), "%d %v is not %v", tt.status, tt.byCode, not)
		}
	}
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

func TestTransportMessagesQuotingTheURLAreScrubbed(t *testing.T) {
	rt := &fakeTransport{respond: func(_ int, req *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("no responder found for GET %s", req.URL) // as httpmock says
	}}
	var buf strings.Builder
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := classClient(t, testBase, WithLogging(rt, logger), time.Second)
	_, err := c.Do(context.Background(), Get("verify_email").Once().WithQuery(url.Values{"token": {"ONE-TIME/SECRET"}}), nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "ONE-TIME")
	assert.Contains(t, err.Error(), "no responder found")
	assert.NotContains(t, buf.String(), "ONE-TIME")
	assert.Contains(t, buf.String(), "no responder found")
}
