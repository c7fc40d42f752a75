package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/callctx"
)

// DefaultResponseHeaderTimeout bounds each attempt until the response
// headers arrive, unless Config or Call.WithTimeout say otherwise.
const DefaultResponseHeaderTimeout = 30 * time.Second

// maxRedirects is how many same-origin redirects an idempotent call follows.
const maxRedirects = 3

// callKey keys the one value rest puts in the context of a call's
// requests: what its layers (retry policy, bounds, redirect rule, error
// classes) need to know of the call, and what Send learns of its attempts.
// One value, made with the request, keeps a call to one context value and
// no copy of the request on the way down.
type callKey = callctx.Key

// callInfo is a call as rest's layers see it. It is not copied. It is
// itself the context of the call's requests: the caller's context (with the
// transport trace, when there is one) that answers callKey with the
// callInfo, so a call costs one allocation where context.WithValue would
// add a second.
type callInfo struct {
	context.Context
	private    bool          // built by Do: no caller holds the request (Private)
	idempotent bool          // may be resent after it reached the server
	timeout    time.Duration // Call.WithTimeout; 0: the client's bound
	shown      shownPath     // the path as logs and errors show it; zero: the real one
	secrets    []string      // the secret values only the call's types tell (sentBy)
	taken      atomic.Bool   // a Send has taken state for itself
	state      attemptState
}

// withCall returns ctx carrying a new callInfo for a call. A call that
// must not be resent also gets the transport trace that fills its state:
// whether an attempt was written decides only such a call's class (a call
// that may be resent is ErrUnavailable either way), so the others do
// without the trace's hooks. A context that carries another call's info (a
// request made with a request's context) keeps it below.
func withCall(ctx context.Context, idempotent bool, timeout time.Duration, shown shownPath, secrets []string) (context.Context, *callInfo) {
	ci := &callInfo{idempotent: idempotent, timeout: timeout, shown: shown, secrets: secrets}
	if !idempotent {
		ctx = httptrace.WithClientTrace(ctx, ci.state.clientTrace())
	}
	ci.Context = ctx
	return ci, ci
}

// Value answers callKey with ci; any other key is the caller's context's.
func (ci *callInfo) Value(key any) any {
	if key == (callKey{}) {
		return ci
	}
	return ci.Context.Value(key)
}

// Private reports whether the request is one rest built for a call of Do,
// which no caller holds: a transport under rest may set a header on it in
// place (the auth transport, the token) rather than copy it. The request a
// caller gets from NewRequest, or gives SendHTTP, is not private.
func (ci *callInfo) Private() bool { return ci.private }

func callOf(ctx context.Context) *callInfo {
	ci, _ := ctx.Value(callKey{}).(*callInfo)
	return ci
}

// attemptState is what Send learns of the last attempt of one call.
type attemptState struct {
	mu       sync.Mutex
	traced   bool   // net/http started getting a connection: its trace works
	written  bool   // the request was (at least partly) written
	redirect string // why a redirect was not followed
	// declined: the attempt was answered 429 or 503 with Retry-After,
	// which says the server did not act, and is being waited out.
	declined bool
}

// clientTrace returns the transport trace that records, for each attempt,
// whether net/http got to work and whether it wrote the request.
func (s *attemptState) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(string) {
			s.mu.Lock()
			s.traced = true
			s.mu.Unlock()
		},
		WroteHeaders: func() {
			s.mu.Lock()
			s.written = true
			s.mu.Unlock()
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			s.mu.Lock()
			s.written = true
			s.mu.Unlock()
		},
	}
}

func (s *attemptState) reset() {
	s.mu.Lock()
	s.traced, s.written, s.redirect, s.declined = false, false, "", false
	s.mu.Unlock()
}

// provedNotWritten reports that the transport's trace shows the last attempt
// was never written. Without a trace (a transport that is not net/http's)
// nothing is proved.
func (s *attemptState) provedNotWritten() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.traced && !s.written
}

// markDeclined records that the last attempt's answer said the server did
// not act on it (see Policy.checkRetry).
func (s *attemptState) markDeclined() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.declined = true
	s.mu.Unlock()
}

// provedDeclined reports that the last attempt was answered that the
// server did not act on it: a caller whose context ends while the client
// waits to resend it has lost nothing.
func (s *attemptState) provedDeclined() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.declined
}

func (s *attemptState) refusedRedirect() string {
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.redirect
}

func stateOf(ctx context.Context) *attemptState {
	if ci := callOf(ctx); ci != nil {
		return &ci.state
	}
	return nil
}

// ErrResponseHeaderTimeout reports an attempt whose response headers did not
// arrive within the bound (Config.ResponseHeaderTimeout or Call.WithTimeout).
var ErrResponseHeaderTimeout = errors.New("timeout awaiting response headers")

// headerTimeoutError is a net.Error timeout, so the retry policy treats it
// like any other timeout.
type headerTimeoutError struct{ d time.Duration }

func (e *headerTimeoutError) Error() string {
	return fmt.Sprintf("%s (%s)", ErrResponseHeaderTimeout, e.d)
}
func (e *headerTimeoutError) Is(target error) bool { return target == ErrResponseHeaderTimeout }
func (e *headerTimeoutError) Timeout() bool        { return true }
func (e *headerTimeoutError) Temporary() bool      { return true }

// attemptTransport is the transport of rest's own http.Client: it starts
// each attempt's record afresh (the call's context carries the trace that
// fills it, see withCall). It has no CloseIdleConnections on purpose:
// retryablehttp closes every idle connection of the pool after each failed
// call, which would defeat pooling under load.
type attemptTransport struct {
	base http.RoundTripper
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if st := stateOf(req.Context()); st != nil {
		st.reset()
	}
	return t.base.RoundTrip(req)
}

// BoundResponseHeaders returns base with every attempt bounded until its
// response headers arrive: by d (0 means DefaultResponseHeaderTimeout, a
// negative d none), or by the call's Call.WithTimeout. The body is bounded
// by DefaultResponseBodyTimeout; see BoundResponse.
func BoundResponseHeaders(base http.RoundTripper, d time.Duration) http.RoundTripper {
	return BoundResponse(base, d, 0)
}

// BoundResponse returns base with every attempt bounded twice: until its
// response headers arrive, by header (0 means DefaultResponseHeaderTimeout,
// a negative value none) or by the call's Call.WithTimeout; then, once they
// have arrived, until its body has been read and closed, by body (0 means
// DefaultResponseBodyTimeout, a negative value none). So one attempt's
// whole answer is bounded even when the caller's context has no deadline: a
// server that trickles its body a byte at a time cannot hold a call
// forever. A read cut by the body bound fails with an error matching
// ErrResponseBodyTimeout; one cut by the caller's context keeps the
// context's error. Both work over any transport, a caller's included: the
// bounds cancel the attempt's context.
//
// Vendor clients put it directly over the network transport, under the auth
// transport and client-side pacing, so that waiting for a token or for a
// rate-limit slot does not count against the bounds: only the time the
// vendor takes to answer does.
func BoundResponse(base http.RoundTripper, header, body time.Duration) http.RoundTripper {
	if header == 0 {
		header = DefaultResponseHeaderTimeout
	}
	if body == 0 {
		body = DefaultResponseBodyTimeout
	}
	return &headerBound{base: base, d: header, body: body}
}

type headerBound struct {
	base http.RoundTripper
	d    time.Duration // <= 0: none unless the call sets one
	body time.Duration // <= 0: none
}

func (t *headerBound) RoundTrip(req *http.Request) (*http.Response, error) {
	req = notReplayable(req)
	parent := req.Context()
	d := t.d
	if ci := callOf(parent); ci != nil && ci.timeout > 0 {
		d = ci.timeout
	}
	if (d <= 0 && t.body <= 0) || deadlineWithin(parent, d, t.body) {
		return t.base.RoundTrip(req)
	}
	ctx, cancel := context.WithCancel(parent)
	// One timer bounds both phases: the headers, then (reset once they
	// have arrived) the body. Either way it ends the attempt's context.
	b := &attemptBody{ctx: ctx, cancel: cancel, parent: parent, d: t.body}
	if d > 0 {
		b.timer = time.AfterFunc(d, cancel)
	}
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if b.timer != nil && !b.timer.Stop() {
		b.timer = nil // it fired: the attempt's context has ended
		if parent.Err() == nil {
			// The bound fired first: whatever came back was cut short.
			if resp != nil && resp.Body != nil {
				_ = resp.Body.Close()
			}
			cancel()
			return nil, &headerTimeoutError{d: d}
		}
	}
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.Body == nil {
		cancel()
		return resp, nil
	}
	b.ReadCloser = resp.Body
	if t.body > 0 && parent.Err() == nil {
		if b.timer != nil {
			b.timer.Reset(t.body) // stopped above, before it fired
		} else {
			b.timer = time.AfterFunc(t.body, cancel)
		}
	}
	resp.Body = b
	return resp, nil
}

// deadlineWithin reports whether ctx's own deadline comes before either
// bound (<= 0: none) could end the attempt: sooner than header from now
// (the headers arrive after now) and sooner than body from now (the body's
// bound starts when they arrive). The attempt then needs no bound of its own, and a
// caller whose context has a deadline (a server handling a request) pays
// for none; the error is the context's, as it would have been anyway.
func deadlineWithin(ctx context.Context, header, body time.Duration) bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		return false
	}
	left := time.Until(deadline)
	return (header <= 0 || left <= header) && (body <= 0 || left <= body)
}

// notReplayable returns req so that net/http does not resend it by itself.
// net/http silently resends a GET, HEAD or OPTIONS without a body when a
// reused keep-alive connection is lost after the request was written; for
// a call that must not be resent (a Once GET spending a one-time token)
// that is a second request the caller never learns of. A body net/http
// cannot rewind (empty, so nothing more goes out) makes it not replayable;
// the layers above still see the original request and may resend it after
// a 401. BoundResponseHeaders applies it, as it sits over the network
// transport in every configuration.
func notReplayable(req *http.Request) *http.Request {
	if ci := callOf(req.Context()); ci == nil || ci.idempotent || len(req.TransferEncoding) > 0 {
		return req // not a rest call, or one that may be resent
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		return req // net/http resends these only when nothing was written
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return req
	}
	out := req.Clone(req.Context())
	out.Body, out.GetBody, out.ContentLength = emptyBody{}, nil, 0
	return out
}

// emptyBody is a request body of no bytes that cannot be rewound. For a
// GET, net/http finds it empty and sends no body at all.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// attemptBody releases an attempt's context once its body is closed, and
// turns a read cut short by the body bound into a bodyTimeoutError.
//
// While the body is read, only the body bound's timer ends the attempt's
// context (Close, which also does, ends the reading), so a read that fails
// with that context ended and the caller's not is the bound's doing.
type attemptBody struct {
	io.ReadCloser
	ctx    context.Context // the attempt's
	cancel context.CancelFunc
	parent context.Context // the caller's side of the attempt
	d      time.Duration   // the body bound
	timer  *time.Timer     // the attempt's bound; nil without one
	closed atomic.Bool
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.explain(err)
	}
	return n, err
}

// explain names why a read failed when the attempt's context ended: the
// caller's context keeps its own error in the chain (net/http may report
// only that the request was cancelled), the body bound its own.
func (b *attemptBody) explain(err error) error {
	if cause := b.parent.Err(); cause != nil {
		if errors.Is(err, cause) {
			return err
		}
		return fmt.Errorf("%w (%w)", cause, err)
	}
	if b.d > 0 && b.ctx.Err() != nil && !b.closed.Load() {
		return &bodyTimeoutError{d: b.d}
	}
	return err
}

func (b *attemptBody) Close() error {
	b.closed.Store(true)
	if b.timer != nil {
		b.timer.Stop()
	}
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// DefaultResponseBodyTimeout bounds each attempt from the arrival of its
// response headers until its body has been read, unless Config says
// otherwise: long enough for a body at the 32 MiB cap over a slow link,
// short enough that a server trickling its answer cannot hold a call
// without a deadline forever.
const DefaultResponseBodyTimeout = 60 * time.Second

// ErrResponseBodyTimeout reports an attempt whose body was not read within
// the bound (Config.ResponseBodyTimeout) after its headers arrived.
var ErrResponseBodyTimeout = errors.New("timeout reading the response body")

// bodyTimeoutError is a net.Error timeout, like headerTimeoutError.
type bodyTimeoutError struct{ d time.Duration }

func (e *bodyTimeoutError) Error() string {
	return fmt.Sprintf("%s (%s)", ErrResponseBodyTimeout, e.d)
}
func (e *bodyTimeoutError) Is(target error) bool { return target == ErrResponseBodyTimeout }
func (e *bodyTimeoutError) Timeout() bool        { return true }
func (e *bodyTimeoutError) Temporary() bool      { return true }

// checkRedirect is the CheckRedirect of rest's http.Client. Credentials go
// only to the base URL's origin, and the auth transport adds them to every
// hop, so this is the guard: a redirect is followed only for a call that may
// be resent, to the same origin, keeping its method, at most maxRedirects
// times. Any other redirect answer goes back to Send as it is, which turns it
// into a *RedirectError.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	reason := ""
	switch {
	case !isIdempotent(first.Context()):
		reason = "the call must not be resent, so its redirect is not followed"
	case !sameOrigin(req.URL, c.origin):
		reason = "redirect to another origin refused: credentials go only to " + originOf(c.origin)
	case req.Method != first.Method:
		reason = "redirect changing " + first.Method + " to " + req.Method + " refused"
	case len(via) > maxRedirects:
		reason = fmt.Sprintf("more than %d redirects", maxRedirects)
	}
	if reason == "" {
		return nil
	}
	if st := stateOf(first.Context()); st != nil {
		st.mu.Lock()
		st.redirect = reason
		st.mu.Unlock()
	}
	return http.ErrUseLastResponse
}

// RedirectError reports a redirect answer that was not followed. A call that
// must not be resent matches access.ErrOutcomeUnknown (the server may have
// acted before redirecting); others match access.ErrUnavailable.
type RedirectError struct {
	Method   string
	URL      string // redacted
	Status   int
	Location string // redacted
	Reason   string
	Class    error
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s %s: the server redirected (%d) to %s: %s", e.Method, e.URL, e.Status, e.Location, e.Reason)
}

// Is matches the error's class.
func (e *RedirectError) Is(target error) bool {
	return target == e.Class || errors.Is(e.Class, target)
}

func (c *Client) redirectError(req *http.Request, resp *http.Response, st *attemptState) error {
	reason := st.refusedRedirect()
	if reason == "" {
		reason = "not followed"
	}
	loc := resp.Header.Get("Location")
	if u, err := resp.Request.URL.Parse(loc); err == nil {
		loc = RedactQuery(u)
	} else {
		loc = "an unparsable location"
	}
	idempotent := isIdempotent(req.Context())
	class := access.ErrUnavailable
	if !idempotent {
		class = access.ErrOutcomeUnknown
	}
	return &RedirectError{
		Method: req.Method, URL: RedactQuery(shownURL(req)), Status: resp.StatusCode,
		Location: loc, Reason: reason, Class: class,
	}
}

// sameOrigin compares scheme, host and port, with default ports filled in.
func sameOrigin(a, b *url.URL) bool {
	return originOf(a) == originOf(b)
}

func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return u.Scheme + "://" + u.Hostname() + ":" + port
}
