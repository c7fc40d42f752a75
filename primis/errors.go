package primis

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// Error is a non-2xx answer from Primis. Its documented body is
// {"status": 400, "message": "..."}; some errors (401) have no body.
//
// Error matches the access sentinels with errors.Is: 401 ErrUnauthorized,
// 403 ErrForbidden, 404 ErrNotFound, 400 ErrInvalid (but the licence limit on
// registration is ErrForbidden), 429 ErrRateLimited, 501 ErrUnsupported,
// other 5xx ErrUnavailable.
type Error struct {
	StatusCode int
	Method     string
	Path       string
	Message    string // the body's "message", or the HTTP status text
	RequestID  string
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Body is the raw body, at most 1 MiB.
	Body []byte
}

func (e *Error) Error() string {
	return fmt.Sprintf("primis: %s %s: %d %s", e.Method, e.Path, e.StatusCode, e.Message)
}

// Is matches the access sentinel for the error's status.
func (e *Error) Is(target error) bool {
	if e.StatusCode == http.StatusBadRequest && strings.Contains(strings.ToLower(e.Message), "licens") {
		return target == access.ErrForbidden
	}
	return rest.MatchSentinel(target, e.StatusCode, nil)
}

type errorBody struct {
	Status  json.RawMessage `json:"status"`
	Message string          `json:"message"`
}

func decodeError(resp *http.Response, body []byte) error {
	a := rest.AnswerOf(resp, body)
	e := &Error{StatusCode: a.StatusCode, Method: a.Method, Path: a.Path, RequestID: a.RequestID, RetryAfter: a.RetryAfter, Body: a.Body}
	var b errorBody
	if json.Unmarshal(body, &b) == nil && b.Message != "" {
		e.Message = b.Message
	} else {
		e.Message = rest.StatusText(resp.StatusCode)
	}
	return e
}

// DeniedError reports that Primis answered a request to open or to access a
// controlled area with a result other than granted. It matches
// access.ErrDenied.
type DeniedError struct {
	ZoneID string
	Result string // as answered, e.g. "denied"
	Info   string
}

func (e *DeniedError) Error() string {
	msg := fmt.Sprintf("primis: access to controlled area %s %s", e.ZoneID, strings.ToLower(e.Result))
	if e.Info != "" {
		msg += ": " + e.Info
	}
	return msg
}

// Is matches access.ErrDenied.
func (e *DeniedError) Is(target error) bool { return target == access.ErrDenied }
