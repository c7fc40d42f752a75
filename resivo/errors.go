package resivo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/doorkit/doorkit/internal/rest"
)

// Error is a non-2xx answer from resivo, whose body is a JSON object with a
// "message" string (and sometimes a "code"); a refused token request may
// answer in RFC 6749 form, whose error_description and error are read as
// message and code. Body keeps what was read of it
// (at most 1 MiB).
//
// Error matches one access sentinel with errors.Is, by HTTP status: 401 is
// access.ErrUnauthorized and 403 access.ErrForbidden whatever the code says;
// 404 and 410 ErrNotFound; 409 ErrConflict; 400 and 422 ErrInvalid; 429
// ErrRateLimited; 502, 503 and 504 ErrUnavailable. resivo publishes no error
// codes, so the code is kept for the caller and not interpreted.
type Error struct {
	StatusCode int
	Method     string
	Path       string
	Message    string // "message"
	Code       string // "code", when present (a string or a number)
	RequestID  string
	RetryAfter time.Duration
	Body       []byte
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("resivo: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Message != "" {
		msg += " " + e.Message
	}
	if e.Code != "" {
		msg += " (" + e.Code + ")"
	}
	return msg
}

// Is matches the access sentinel for the status: 401 ErrUnauthorized, 403
// ErrForbidden, 404 and 410 ErrNotFound, and so on (see the package doc).
func (e *Error) Is(target error) bool { return rest.MatchSentinel(target, e.StatusCode, nil) }

// errorBody is resivo's {"message", "code"}, or the RFC 6749 form
// {"error", "error_description"} a token endpoint may answer.
type errorBody struct {
	Message          string          `json:"message"`
	Code             json.RawMessage `json:"code"`
	OAuthError       string          `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

func decodeError(resp *http.Response, body []byte) error {
	a := rest.AnswerOf(resp, body)
	e := &Error{StatusCode: a.StatusCode, Method: a.Method, Path: a.Path, RequestID: a.RequestID, RetryAfter: a.RetryAfter, Body: a.Body}
	var b errorBody
	if json.Unmarshal(body, &b) == nil {
		e.Message, e.Code = b.Message, codeString(b.Code)
		if e.Message == "" {
			e.Message = b.ErrorDescription
		}
		if e.Code == "" {
			e.Code = b.OAuthError
		}
	}
	if e.Message == "" {
		e.Message = rest.StatusText(resp.StatusCode)
	}
	return e
}

// codeString returns a JSON string or number as text.
func codeString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
