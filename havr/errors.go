package havr

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// Error is a non-2xx answer from Havr, whose body is
// {"error": "...", "error_code": "...", "details": "..."} (error_code and
// details are often absent).
//
// Error matches access sentinels with errors.Is: a 401 is ErrUnauthorized
// whatever the code (a wrong password is invalid_credentials with 401); a
// 403 is ErrForbidden and also what its code says (Havr answers 403 for
// conflicts and validation errors too); otherwise the sentinel is chosen by
// error_code where there is one and by status otherwise: *_does_not_exist and
// *_not_found are ErrNotFound; cant_access_*, invalid_access and account
// states are ErrForbidden; already-exists, *_exists, pending and state
// conflicts are ErrConflict; invalid_*, must_be_* and recurrency rules are
// ErrInvalid.
type Error struct {
	StatusCode int
	Method     string
	Path       string
	Message    string // "error"
	Code       string // "error_code"
	Details    string // "details", e.g. "temp_access_expired"
	RequestID  string
	RetryAfter time.Duration
	Body       []byte // at most 1 MiB
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("havr: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Message != "" {
		msg += " " + e.Message
	}
	if e.Code != "" {
		msg += " (" + e.Code + ")"
	}
	if e.Details != "" {
		msg += ": " + e.Details
	}
	return msg
}

// Is matches the access sentinel for the status and error code, with the
// precedence of every doorkit package: a 401 is ErrUnauthorized only; a 403
// is ErrForbidden and also what its code says; else the code's sentinel, or
// the status's.
func (e *Error) Is(target error) bool {
	return rest.MatchSentinel(target, e.StatusCode, codeSentinel(e.Code))
}

func codeSentinel(code string) error {
	switch {
	case code == "":
		return nil
	case strings.Contains(code, "_does_not_exist"), strings.Contains(code, "not_found"), code == "no_contacts_found":
		return access.ErrNotFound
	case strings.HasPrefix(code, "cant_access_"), code == "invalid_access", code == "account_inactive",
		code == "email_not_verified", code == "maximum_devices_reached", code == "shared_key_has_expired",
		code == "can_only_retrieve_one_access_without_account":
		return access.ErrForbidden
	case code == "no_email_pending", code == "null_pending_mail": // nothing in progress to act on
		return access.ErrInvalid
	case strings.Contains(code, "already"), strings.Contains(code, "pending"), strings.HasSuffix(code, "_exists"),
		code == "lock_group_is_not_empty", code == "door_lock_not_waiting_for_activation", code == "user_admin_of_lock":
		return access.ErrConflict
	case strings.HasPrefix(code, "invalid_"), strings.HasPrefix(code, "must_be_"), strings.HasPrefix(code, "missing"),
		strings.Contains(code, "cannot_be_applied"), strings.HasSuffix(code, "_is_not_offline"):
		return access.ErrInvalid
	}
	return nil
}

type errorBody struct {
	Error     string `json:"error"`
	ErrorCode string `json:"error_code"`
	Details   string `json:"details"`
}

func decodeError(resp *http.Response, body []byte) error {
	a := rest.AnswerOf(resp, body)
	e := &Error{StatusCode: a.StatusCode, Method: a.Method, Path: a.Path, RequestID: a.RequestID, RetryAfter: a.RetryAfter, Body: a.Body}
	var b errorBody
	if json.Unmarshal(body, &b) == nil {
		e.Message, e.Code, e.Details = b.Error, b.ErrorCode, b.Details
	}
	if e.Message == "" {
		e.Message = rest.StatusText(resp.StatusCode)
	}
	return e
}
