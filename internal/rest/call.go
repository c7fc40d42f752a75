package rest

import (
	"net/http"
	"time"
)

// Call describes one API request. The path stays a template until the call
// is sent, so a bad parameter is reported by Do before anything goes out.
type Call struct {
	Method     string
	Template   string // relative to the base URL, e.g. "api/mobile/beacon/%v"
	Params     []any
	Query      any // url.Values or a struct for go-querystring; nil for none
	Body       any // []byte is sent as is; anything else is marshalled to JSON
	Header     http.Header
	idempotent bool
	bodyless   bool
	timeout    time.Duration
	refused    error
}

// NewCall returns a call of method to template filled with params.
func NewCall(method, template string, params ...any) *Call {
	return &Call{Method: method, Template: template, Params: params, idempotent: IdempotentMethod(method)}
}

// Get, Post, Put, Patch and Delete are NewCall for their method.
func Get(template string, params ...any) *Call { return NewCall(http.MethodGet, template, params...) }
func Post(template string, params ...any) *Call {
	return NewCall(http.MethodPost, template, params...)
}
func Put(template string, params ...any) *Call { return NewCall(http.MethodPut, template, params...) }
func Patch(template string, params ...any) *Call {
	return NewCall(http.MethodPatch, template, params...)
}
func Delete(template string, params ...any) *Call {
	return NewCall(http.MethodDelete, template, params...)
}

// WithQuery sets the query: url.Values, or a struct with `url` tags.
func (c *Call) WithQuery(q any) *Call { c.Query = q; return c }

// WithBody sets the JSON body.
func (c *Call) WithBody(b any) *Call { c.Body = b; return c }

// WithHeader adds a header to this call only.
func (c *Call) WithHeader(key, value string) *Call {
	if c.Header == nil {
		c.Header = make(http.Header)
	}
	c.Header.Add(key, value)
	return c
}

// Idempotent marks a call safe to resend after it reached the server, such
// as a POST that only reads. Use it only where the docs make that plain.
func (c *Call) Idempotent() *Call { c.idempotent = true; return c }

// Once marks a call that must not be resent once it may have reached the
// server, such as a GET that spends a one-time token: a resent request
// would report the token as used after it had worked.
func (c *Call) Once() *Call { c.idempotent = false; return c }

// EmptyBody sends a zero-length body with Content-Length: 0 on a call that
// has no body, for servers that wait for one otherwise.
func (c *Call) EmptyBody() *Call { c.bodyless = true; return c }

// Refuse makes the call fail with err before anything is sent, for a
// per-call option given a malformed value; the first refusal wins.
func (c *Call) Refuse(err error) *Call {
	if c.refused == nil {
		c.refused = err
	}
	return c
}

// WithTimeout bounds each attempt of this call until its response headers
// arrive by d instead of the client's response-header timeout, for vendor
// calls known to take long (August's remote operate, about 90 s). The
// caller's context deadline still applies.
func (c *Call) WithTimeout(d time.Duration) *Call { c.timeout = d; return c }
