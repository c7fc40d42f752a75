package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// Config is what a vendor client gives New.
type Config struct {
	BaseURL *url.URL
	// Transport sends one attempt: the auth transport, the logging
	// transport, or the caller's transport, outermost first.
	Transport http.RoundTripper
	// Timeout bounds each attempt, as http.Client.Timeout does.
	Timeout time.Duration
	// ResponseHeaderTimeout bounds each attempt until its response headers
	// arrive: 0 means DefaultResponseHeaderTimeout, a negative value none.
	// Call.WithTimeout overrides it for one call. It is applied over all of
	// Transport; a vendor client whose Transport holds auth or pacing sets
	// it negative and puts BoundResponseHeaders over its network transport
	// instead, so that waits for tokens and rate-limit slots do not count.
	ResponseHeaderTimeout time.Duration
	// ResponseBodyTimeout bounds each attempt from the arrival of its
	// response headers until its body has been read: 0 means
	// DefaultResponseBodyTimeout, a negative value none. Like
	// ResponseHeaderTimeout, a vendor client sets it negative here and
	// passes it to BoundResponse over its network transport.
	ResponseBodyTimeout time.Duration
	// MaxBody caps a 2xx body: 0 means DefaultMaxBody.
	MaxBody   int64
	Policy    Policy
	UserAgent string
	// Header is sent on every request (an API key, Accept-Version).
	Header http.Header
	// DecodeError turns a non-2xx response and its bounded body into the
	// vendor's error value. The body comes scrubbed of the secrets the
	// request sent (see ScrubAnswer).
	DecodeError func(resp *http.Response, body []byte) error
	// SecretFields are the vendor's own secret JSON or form keys, beside
	// IsSecretKey's, whose values are scrubbed from answers.
	SecretFields []string
}

// Client sends Calls for one vendor client. It is safe for concurrent use.
type Client struct {
	base    string // absolute, ends in "/"
	origin  *url.URL
	maxBody int64
	// Header values are built once and shared by every request Do
	// builds: nothing on the way writes into a header value in place, and
	// a full slice (capacity equal to length) is copied by an append.
	// NewRequest, which hands a request to the caller, gives it values of
	// its own.
	jsonType    []string // Accept and Content-Type
	userAgent   []string // nil for none
	header      http.Header
	decodeError func(*http.Response, []byte) error
	fields      []string // Config.SecretFields
	http        *retryablehttp.Client
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	base := cfg.BaseURL.String()
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	transport := cfg.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	if cfg.ResponseHeaderTimeout >= 0 || cfg.ResponseBodyTimeout >= 0 {
		transport = BoundResponse(transport, cfg.ResponseHeaderTimeout, cfg.ResponseBodyTimeout)
	}
	maxBody := cfg.MaxBody
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	c := &Client{base: base, origin: cfg.BaseURL, maxBody: maxBody, header: cfg.Header.Clone(), jsonType: []string{"application/json"},
		fields: slices.Clone(cfg.SecretFields)}
	if cfg.UserAgent != "" {
		c.userAgent = []string{cfg.UserAgent}
	}
	for k, vs := range c.header {
		c.header[k] = vs[:len(vs):len(vs)]
	}
	policy := cfg.Policy
	// rest's own http.Client, also when the caller gave one: only its
	// transport and timeout are used, so redirects stay under doorkit's
	// rule (see checkRedirect) whatever the caller's client says.
	hc := &http.Client{
		Transport:     &attemptTransport{base: transport},
		Timeout:       cfg.Timeout,
		CheckRedirect: c.checkRedirect,
	}
	rc := &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // logging goes through the vendor's slog logger, redacted
		RetryWaitMin: policy.MinWait,
		RetryWaitMax: policy.MaxWait,
		RetryMax:     policy.MaxRetries,
		CheckRetry:   policy.checkRetry,
		Backoff:      policy.backoff,
		// Keep the last response so the caller gets the vendor's typed
		// error rather than "giving up after N attempts".
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	decode := cfg.DecodeError
	if decode == nil {
		decode = func(resp *http.Response, _ []byte) error {
			return &StatusError{Method: resp.Request.Method, Path: ShownPath(resp.Request), StatusCode: resp.StatusCode, Status: resp.Status}
		}
	}
	c.decodeError, c.http = decode, rc
	return c
}

// ErrNilContext is returned for a nil context, as go-github does, instead
// of a panic deep in net/http. It matches access.ErrInvalid.
var ErrNilContext error = &LocalError{Err: errors.New("context must be non-nil")}

// BaseURL returns the absolute base every path is resolved against.
func (c *Client) BaseURL() string { return c.base }

// Do sends call and decodes a 2xx JSON body into out (nil to discard it). A
// non-2xx answer is returned as the vendor's error together with the
// response, whose body has been consumed and closed. The response is nil only
// when no answer was received. Every error matches one class with errors.Is
// (see Send): access.ErrInvalid when nothing was sent, access.ErrUnavailable,
// access.ErrOutcomeUnknown, the context's error, or the vendor's sentinel.
func (c *Client) Do(ctx context.Context, call *Call, out any) (*http.Response, error) {
	if ctx == nil {
		return nil, ErrNilContext
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req, err := c.newRequest(ctx, call)
	if err != nil {
		return nil, local(err)
	}
	callOf(req.Context()).private = true // Send's alone
	return c.Send(req, out)
}

// NewRequest builds the request for call without sending it.
func (c *Client) NewRequest(ctx context.Context, call *Call) (*retryablehttp.Request, error) {
	if ctx == nil {
		return nil, ErrNilContext
	}
	req, err := c.newRequest(ctx, call)
	if err != nil {
		return nil, local(err)
	}
	req.Header = req.Header.Clone() // the caller's to change
	return req, nil
}

// NewHTTPRequest builds the request of a vendor client's raw escape hatch:
// method and path relative to the base URL, body sent as JSON, ready for
// SendHTTP.
func (c *Client) NewHTTPRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	req, err := c.NewRequest(ctx, NewCall(method, path).WithBody(body))
	if err != nil {
		return nil, err
	}
	// retryablehttp keeps the body to itself and leaves the inner request's
	// Body nil, which SendHTTP would send as no body at all.
	if r := req.Request; r.Body == nil && r.GetBody != nil {
		if r.Body, err = r.GetBody(); err != nil {
			return nil, local(err)
		}
	}
	return req.Request, nil
}

// Result sends call with c and decodes a 2xx JSON body into a new T. On any
// error the T is the zero value, never a value half decoded.
func Result[T any](ctx context.Context, c *Client, call *Call) (T, *http.Response, error) {
	var out T
	resp, err := c.Do(ctx, call, &out)
	if err != nil {
		var zero T
		return zero, resp, err
	}
	return out, resp, nil
}

func (c *Client) newRequest(ctx context.Context, call *Call) (*retryablehttp.Request, error) {
	if call.refused != nil {
		return nil, call.refused
	}
	var sep, query string
	if call.Query != nil {
		var err error
		if query, err = encodeQuery(call.Query); err != nil {
			return nil, err
		}
		if query != "" {
			sep = "?"
		}
	}
	// A parameter cannot hold '/' (see checkSegment): only the template
	// can start the path with one.
	target, shown, err := buildPath(c.base, strings.TrimPrefix(call.Template, "/"), sep, query, call.Params)
	if err != nil {
		return nil, err
	}
	var sp shownPath
	if shown != "" {
		built, err := url.Parse(target)
		if err != nil {
			return nil, err
		}
		masked, err := url.Parse(shown)
		if err != nil {
			return nil, err
		}
		sp = shownPath{real: built.Path, shown: masked.Path}
	}
	var body []byte
	switch b := call.Body.(type) {
	case nil:
	case []byte:
		body = b
	case json.RawMessage:
		body = b
	default:
		if body, err = json.Marshal(b); err != nil {
			return nil, fmt.Errorf("encode %s %s body: %w", call.Method, call.Template, err)
		}
	}
	var raw any
	if body != nil {
		raw = body
	}
	ctx, _ = withCall(ctx, call.idempotent, call.timeout, sp, sentBy(call))
	req, err := retryablehttp.NewRequestWithContext(ctx, call.Method, target, raw)
	if err != nil {
		return nil, err
	}
	req.Header["Accept"] = c.jsonType
	if body != nil {
		req.Header["Content-Type"] = c.jsonType
	}
	if call.bodyless && body == nil {
		// NoBody with the identity encoding makes net/http write
		// "Content-Length: 0" for every method that may carry a body (a
		// nil body gets none on DELETE), while an empty reader would have
		// an unknown length and go out chunked.
		req.Body = http.NoBody
		req.ContentLength = 0
		req.TransferEncoding = []string{"identity"}
		req.Header["Content-Type"] = c.jsonType
	}
	if c.userAgent != nil {
		req.Header["User-Agent"] = c.userAgent
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	for k, vs := range call.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	return req, nil
}

// SendHTTP sends a plain request, such as one from NewRequest that a caller
// adjusted, with the client's retry policy and error decoding; see Do.
func (c *Client) SendHTTP(req *http.Request, out any) (*http.Response, error) {
	rr, err := retryablehttp.FromRequest(req)
	if err != nil {
		return nil, local(err)
	}
	return c.Send(rr, out)
}

// Send sends a request built by NewRequest; see Do. Every error it returns
// is classified (see RequestError): the vendor's error for a non-2xx answer
// (wrapped in *OutcomeUnknownError for a 5xx to a call that must not be
// resent), a *RedirectError, or a *RequestError.
func (c *Client) Send(req *retryablehttp.Request, out any) (*http.Response, error) {
	// The state the request was built with, unless another Send took it
	// (a request sent twice) or rest did not build it (SendHTTP): each
	// Send records its own attempts.
	ci := callOf(req.Context())
	if ci == nil || !ci.taken.CompareAndSwap(false, true) {
		idempotent := IdempotentMethod(req.Method)
		var timeout time.Duration
		var sp shownPath
		var secrets []string
		if ci != nil {
			idempotent, timeout, sp, secrets = ci.idempotent, ci.timeout, ci.shown, ci.secrets
		}
		var ctx context.Context
		ctx, ci = withCall(req.Context(), idempotent, timeout, sp, secrets)
		ci.taken.Store(true)
		req = req.WithContext(ctx)
	}
	st := &ci.state
	resp, err := c.http.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return resp, transportError(req.Context(), req.Request, st, err, c.fields)
	}
	defer resp.Body.Close()
	if resp.Request == nil {
		resp.Request = req.Request // custom transports may leave it unset
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 && resp.Header.Get("Location") != "" {
		return resp, c.redirectError(req.Request, resp, st)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, readErr := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
		// The auth transport's copy of the request, when the transport
		// says which it answered: it carries the credentials too.
		body = scrubBody(body, sentSecrets(resp.Request, c.fields))
		verr := c.decodeError(resp, body)
		if readErr != nil {
			// The status is the vendor's word; the body was cut short (the
			// caller's deadline, the body bound), and why stays in the chain.
			verr = &cutBodyError{Err: verr, Read: readErr}
		}
		if resp.StatusCode >= 500 && !isIdempotent(req.Context()) && !retryAfterSaysNotDone(resp) {
			return resp, &OutcomeUnknownError{Err: verr}
		}
		return resp, verr
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxErrorBody))
		return resp, nil
	}
	body, err := readCapped(resp.Body, resp.ContentLength, c.maxBody)
	if err == nil {
		err = decodeJSON(body, out)
	}
	if err != nil {
		return resp, decodeFailure(req.Request, resp, err, c.fields)
	}
	return resp, nil
}

// cutBodyError is a non-2xx answer whose body could not be read whole. It
// matches what the vendor's error matches and what stopped the read (the
// caller's context.DeadlineExceeded, ErrResponseBodyTimeout); errors.As
// finds the vendor's error.
type cutBodyError struct {
	Err  error // the vendor's error, decoded from what was read
	Read error
}

func (e *cutBodyError) Error() string {
	return e.Err.Error() + " (reading its body failed: " + e.Read.Error() + ")"
}

func (e *cutBodyError) Unwrap() []error { return []error{e.Err, e.Read} }

// retryAfterSaysNotDone reports a 503 with Retry-After: the server says it
// did not act and when to come back, which is why the retry policy resends
// even a POST on it.
func retryAfterSaysNotDone(resp *http.Response) bool {
	if resp.StatusCode != http.StatusServiceUnavailable {
		return false
	}
	_, ok := RetryAfter(resp.Header, time.Now())
	return ok
}

// ErrEmptyBody reports a 2xx answer without the JSON value it should carry.
var ErrEmptyBody = errors.New("empty or null response body")

func decodeJSON(body []byte, out any) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return ErrEmptyBody
	}
	if err := json.Unmarshal(body, out); err != nil {
		return err
	}
	// A JSON null leaves a pointer, slice or map result nil and a struct
	// result untouched: that would be a missing result with a nil error. The
	// only valid JSON value that starts with 'n' is null.
	if trimmed[0] == 'n' {
		return ErrEmptyBody
	}
	return nil
}

func encodeQuery(q any) (string, error) {
	switch v := q.(type) {
	case string:
		return v, nil
	case url.Values:
		return v.Encode(), nil
	default:
		vals, err := query.Values(q)
		if err != nil {
			return "", fmt.Errorf("encode query: %w", err)
		}
		return vals.Encode(), nil
	}
}

// DrainAndClose discards what is left of body and closes it.
func DrainAndClose(body io.ReadCloser) {
	if body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, MaxErrorBody))
	_ = body.Close()
}
