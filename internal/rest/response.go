package rest

import (
	"net/http"
	"time"
)

// Response is a vendor's answer to one call: the *http.Response, with what
// doorkit read from its headers. Every vendor package's Response is this
// type, so it is read the same way whichever vendor answered.
//
// The vendors document no rate-limit headers (no X-RateLimit-*), so there
// is no remaining-quota field; RetryAfter is what a rate-limited answer
// says.
type Response struct {
	*http.Response

	// RequestID is the id the vendor gave the request, from the first of
	// X-Request-Id, X-Correlation-Id and X-Amzn-Requestid it sent; "" when
	// it sent none. A vendor's *Error carries the same id: quote it to the
	// vendor's support.
	RequestID string

	// RetryAfter is how long the vendor asked the caller to wait before
	// trying again (its Retry-After header, in seconds or as a date,
	// usually on a 429 or 503); 0 when it did not say. The client has
	// already waited it out for the retries it makes itself.
	RetryAfter time.Duration
}

// NewResponse reads r's headers into a Response; nil when r is nil (no
// answer was received).
func NewResponse(r *http.Response) *Response {
	if r == nil {
		return nil
	}
	out := &Response{Response: r, RequestID: RequestID(r.Header)}
	if _, ok := r.Header["Retry-After"]; ok { // the clock is read only for a date
		out.RetryAfter, _ = RetryAfter(r.Header, time.Now())
	}
	return out
}
