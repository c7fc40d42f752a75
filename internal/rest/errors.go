package rest

import (
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
)

// MaxErrorBody bounds how much of a non-2xx body is read and kept.
const MaxErrorBody = 1 << 20

// ReadBounded reads at most limit bytes of r.
func ReadBounded(r io.Reader, limit int64) []byte {
	b, _ := io.ReadAll(io.LimitReader(r, limit))
	return b
}

// StatusText is http.StatusText, or "HTTP <code>" for a code it does not
// know, so an error message is never empty.
func StatusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "HTTP " + strconv.Itoa(code)
}

// StatusSentinel maps an HTTP status to the access sentinel it means, or nil.
// Vendor error types call it from their Is method and refine it with their
// own codes.
func StatusSentinel(status int) error {
	switch status {
	case http.StatusUnauthorized:
		return access.ErrUnauthorized
	case http.StatusForbidden:
		return access.ErrForbidden
	case http.StatusNotFound, http.StatusGone:
		return access.ErrNotFound
	case http.StatusConflict:
		return access.ErrConflict
	case http.StatusTooManyRequests:
		return access.ErrRateLimited
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return access.ErrInvalid
	case http.StatusNotImplemented:
		return access.ErrUnsupported
	}
	if status >= 500 && status <= 599 {
		// The vendor failed; for a call that must not be resent, Send
		// also marks the outcome unknown.
		return access.ErrUnavailable
	}
	return nil
}

// maxRetryAfterSeconds keeps a parsed Retry-After from overflowing a
// time.Duration: any longer wait is far past every cap anyway.
const maxRetryAfterSeconds = int64(math.MaxInt64 / int64(time.Second))

// RetryAfter parses a Retry-After header given in seconds or as an HTTP
// date. A huge number of seconds saturates instead of wrapping negative.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if digits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > maxRetryAfterSeconds { // only ErrRange is possible
			secs = maxRetryAfterSeconds
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// RequestID returns the request id a server put in the usual headers.
func RequestID(h http.Header) string {
	// The keys are canonical already: indexing spares Get's canonicalizing.
	for _, k := range [...]string{"X-Request-Id", "X-Correlation-Id", "X-Amzn-Requestid"} {
		if vs := h[k]; len(vs) > 0 && vs[0] != "" {
			return vs[0]
		}
	}
	return ""
}

// Answer is what every vendor's error type records of a non-2xx answer,
// read in one place so that each vendor reads it alike.
type Answer struct {
	StatusCode int
	Method     string
	Path       string
	RequestID  string        // see RequestID
	RetryAfter time.Duration // the server's Retry-After, 0 without one
	Body       []byte        // the bounded body DecodeError is given
}

// AnswerOf reads the Answer of resp, whose bounded body is body.
func AnswerOf(resp *http.Response, body []byte) Answer {
	a := Answer{StatusCode: resp.StatusCode, RequestID: RequestID(resp.Header), Body: body}
	if resp.Request != nil && resp.Request.URL != nil {
		a.Method, a.Path = resp.Request.Method, ShownPath(resp.Request)
	}
	a.RetryAfter, _ = RetryAfter(resp.Header, time.Now())
	return a
}
