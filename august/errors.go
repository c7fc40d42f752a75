package august

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"net/http"

	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// Error is a non-2xx answer from August, whose body is
// {"code": <string or number>, "message": "..."}, e.g. 403
// {"code":"Forbidden","message":"API key is not valid"} or 422
// {"code":98,"message":"Bridge is offline"}.
//
// Error matches access sentinels with errors.Is by status: 401 is always
// access.ErrUnauthorized and 403 access.ErrForbidden whatever the code says;
// the remote-operate statuses match as Kind documents, and the lock's own
// failures (jammed, calibration, low battery, overheated) match this
// package's ErrJammed, ErrCalibration, ErrLowBattery and ErrOverheated.
type Error struct {
	StatusCode int
	Method     string
	Path       string // PINs in the path are redacted
	Code       string // "code", a number given as its decimal text
	Message    string // "message"
	Kind       Kind
	RequestID  string
	RetryAfter time.Duration
	Body       []byte // at most 1 MiB
}

// Kind classifies the statuses August documents for remote operate and PIN
// commands. The zero Kind is an answer without a more specific meaning.
type Kind string

// Kinds of August errors, with their HTTP status.
const (
	KindLockUnavailable Kind = "lock_unavailable" // 408: the lock did not answer in time
	KindConflict        Kind = "conflict"         // 409: duplicate PIN, no PIN slot left, conflicting state
	KindPrecondition    Kind = "precondition"     // 412: e.g. the lock has no bridge
	KindBridgeOffline   Kind = "bridge_offline"   // 422: the lock's bridge is offline
	KindBusy            Kind = "busy"             // 423 bridge or lock busy, 460 lock busy over BLE
	KindInvalidCommand  Kind = "invalid_command"  // 501
	KindJammed          Kind = "jammed"           // 530: jammed or mechanical timeout
	KindCalibration     Kind = "calibration"      // 531: the lock needs calibrating
	KindLowBattery      Kind = "low_battery"      // 550
	KindOverheated      Kind = "overheated"       // 551
	KindDisconnected    Kind = "disconnected"     // 560: disconnected in the middle of the command
)

// Sentinels for the lock's own failures. *Error matches them with errors.Is.
var (
	ErrBridgeOffline = errors.New("august: bridge offline")         // 422; also access.ErrUnavailable
	ErrBusy          = errors.New("august: lock or bridge busy")    // 423, 460; also access.ErrConflict
	ErrJammed        = errors.New("august: lock jammed")            // 530
	ErrCalibration   = errors.New("august: lock needs calibration") // 531
	ErrLowBattery    = errors.New("august: lock battery too low")   // 550
	ErrOverheated    = errors.New("august: lock overheated")        // 551
)

func kindOf(status int, code, path string) Kind {
	switch status {
	case http.StatusRequestTimeout:
		return KindLockUnavailable
	case http.StatusConflict:
		return KindConflict
	case http.StatusPreconditionFailed:
		return KindPrecondition
	case http.StatusUnprocessableEntity:
		// 422 is "bridge offline" for remote operate (code 98); elsewhere
		// it may be plain validation.
		if code == "98" || strings.HasPrefix(strings.TrimPrefix(path, "/"), "remoteoperate/") {
			return KindBridgeOffline
		}
	case http.StatusLocked, 460:
		return KindBusy
	case http.StatusNotImplemented:
		return KindInvalidCommand
	case 530:
		return KindJammed
	case 531:
		return KindCalibration
	case 550:
		return KindLowBattery
	case 551:
		return KindOverheated
	case 560:
		return KindDisconnected
	}
	return ""
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("august: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Message != "" {
		msg += " " + e.Message
	}
	if e.Code != "" {
		msg += " (code " + e.Code + ")"
	}
	return msg
}

// Is matches the access sentinels and this package's sentinels for the
// status and Kind, with every doorkit package's precedence: 401 is
// access.ErrUnauthorized only, 403 access.ErrForbidden (and what its Kind
// says), otherwise the Kind's sentinels, or the status's without a Kind.
func (e *Error) Is(target error) bool {
	byKind := e.Kind.sentinels()
	if len(byKind) == 0 {
		return rest.MatchSentinel(target, e.StatusCode, nil)
	}
	for _, s := range byKind {
		if rest.MatchSentinel(target, e.StatusCode, s) {
			return true
		}
	}
	return false
}

// sentinels are the errors a Kind matches, most specific first.
func (k Kind) sentinels() []error {
	switch k {
	case KindLockUnavailable, KindPrecondition:
		return []error{access.ErrUnavailable}
	case KindBridgeOffline:
		return []error{ErrBridgeOffline, access.ErrUnavailable}
	case KindBusy:
		return []error{ErrBusy, access.ErrConflict}
	case KindConflict:
		return []error{access.ErrConflict}
	case KindInvalidCommand:
		return []error{access.ErrInvalid}
	case KindJammed:
		return []error{ErrJammed}
	case KindCalibration:
		return []error{ErrCalibration}
	case KindLowBattery:
		return []error{ErrLowBattery}
	case KindOverheated:
		return []error{ErrOverheated}
	case KindDisconnected:
		// The lock dropped off during the command: it may have moved.
		return []error{access.ErrOutcomeUnknown, access.ErrUnavailable}
	}
	return nil
}

// code is August's "code", a string or a number.
type code string

func (c *code) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = code(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*c = code(n.String())
	return nil
}

type errorBody struct {
	Code    code   `json:"code"`
	Message string `json:"message"`
}

func decodeError(resp *http.Response, body []byte) error {
	a := rest.AnswerOf(resp, body)
	e := &Error{StatusCode: a.StatusCode, Method: a.Method, Path: a.Path, RequestID: a.RequestID, RetryAfter: a.RetryAfter, Body: a.Body}
	var b errorBody
	if json.Unmarshal(body, &b) == nil {
		e.Code, e.Message = string(b.Code), b.Message
	}
	if e.Message == "" {
		e.Message = rest.StatusText(resp.StatusCode)
	}
	e.Kind = kindOf(e.StatusCode, e.Code, e.Path)
	return e
}
