package august

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
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
	// outcomeUnknown is set for 5xx answers to requests that change
	// state (remote operate, PIN commands): they may have run.
	outcomeUnknown bool
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
// status and Kind.
func (e *Error) Is(target error) bool {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return target == access.ErrUnauthorized
	case http.StatusForbidden:
		return target == access.ErrForbidden
	}
	switch e.Kind {
	case KindLockUnavailable, KindPrecondition:
		return target == access.ErrUnavailable
	case KindBridgeOffline:
		return target == ErrBridgeOffline || target == access.ErrUnavailable
	case KindBusy:
		return target == ErrBusy || target == access.ErrConflict
	case KindConflict:
		return target == access.ErrConflict
	case KindInvalidCommand:
		return target == access.ErrInvalid
	case KindJammed:
		return target == ErrJammed
	case KindCalibration:
		return target == ErrCalibration
	case KindLowBattery:
		return target == ErrLowBattery
	case KindOverheated:
		return target == ErrOverheated
	case KindDisconnected:
		// The lock dropped off during the command: it may have moved.
		return target == access.ErrOutcomeUnknown || target == access.ErrUnavailable
	}
	if e.outcomeUnknown {
		return target == access.ErrOutcomeUnknown || target == access.ErrUnavailable
	}
	s := rest.StatusSentinel(e.StatusCode)
	return s != nil && target == s
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
	path := rest.ShownPath(resp.Request)
	e := &Error{
		StatusCode: resp.StatusCode,
		Method:     resp.Request.Method,
		Path:       path,
		RequestID:  rest.RequestID(resp.Header),
		Body:       body,
	}
	if d, ok := rest.RetryAfter(resp.Header, time.Now()); ok {
		e.RetryAfter = d
	}
	var b errorBody
	if json.Unmarshal(body, &b) == nil {
		e.Code, e.Message = string(b.Code), b.Message
	}
	if e.Message == "" {
		e.Message = rest.StatusText(resp.StatusCode)
	}
	e.Kind = kindOf(e.StatusCode, e.Code, path)
	if e.Kind == "" && e.StatusCode >= 500 && changesState(resp.Request.Method, path) {
		e.outcomeUnknown = true
	}
	return e
}

// changesState reports the requests whose 5xx answer leaves their outcome
// unknown: remote operate (a PUT), PIN reservations (a GET) and the POSTs.
func changesState(method, path string) bool {
	p := strings.TrimPrefix(path, "/")
	return method == http.MethodPost || method == http.MethodPatch || strings.HasPrefix(p, "remoteoperate/") ||
		(method == http.MethodGet && strings.HasPrefix(p, "locks/") && strings.HasSuffix(p, "/pin"))
}

// outcomeError marks a transport failure of a request that may have reached
// August (a connection reset after the request was written, a timeout):
// it matches access.ErrOutcomeUnknown, and so access.ErrUnavailable.
type outcomeError struct{ err error }

func (e *outcomeError) Error() string { return "august: outcome unknown: " + e.err.Error() }
func (e *outcomeError) Unwrap() error { return e.err }
func (e *outcomeError) Is(target error) bool {
	return target == access.ErrOutcomeUnknown || target == access.ErrUnavailable
}

// classifyOnce turns the transport failure of a request that is sent once
// into an error saying whether it may have run. Errors that are already
// classified (a vendor answer, local validation, the context's own error,
// or anything the shared plumbing marked) are returned as they are.
func classifyOnce(err error, resp *Response) error {
	if err == nil || resp != nil {
		return err
	}
	var (
		aerr *Error
		rerr *rest.RequestError
	)
	switch {
	case errors.As(err, &aerr), errors.As(err, &rerr), errors.Is(err, access.ErrInvalid),
		errors.Is(err, access.ErrUnavailable), errors.Is(err, access.ErrUnauthorized):
		// Classified by the shared plumbing (a RequestError whose context
		// ended before anything was sent has no class, and stays so).
		return err
	}
	if isDial(err) {
		return fmt.Errorf("%w: %w", access.ErrUnavailable, err)
	}
	return &outcomeError{err: err}
}

// isDial reports a failure to connect: the request never left.
func isDial(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func itoa(n int) string { return strconv.Itoa(n) }
