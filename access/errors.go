package access

import "errors"

// Sentinel errors shared by every vendor. Vendor error types match them
// through an Is method, so callers write errors.Is(err, access.ErrNotFound)
// and keep errors.As for the vendor detail.
var (
	// ErrNotFound: the door, grant or other object does not exist.
	ErrNotFound = errors.New("access: not found")
	// ErrUnauthorized: the credentials or tokens were rejected and could not
	// be renewed.
	ErrUnauthorized = errors.New("access: unauthorized")
	// ErrForbidden: the caller is known but may not do this.
	ErrForbidden = errors.New("access: forbidden")
	// ErrConflict: the request clashes with existing state (a duplicate PIN,
	// a pending request, an ambiguous door name).
	ErrConflict = errors.New("access: conflict")
	// ErrRateLimited: the vendor asked the caller to slow down.
	ErrRateLimited = errors.New("access: rate limited")
	// ErrUnavailable: the vendor, a bridge or the lock cannot be reached;
	// nothing reached the vendor, or ErrOutcomeUnknown.
	ErrUnavailable = errors.New("access: unavailable")
	// ErrOutcomeUnknown: a request that changes state (a create, an
	// unlock) may have reached the vendor, and its result is unknown: the
	// connection broke or timed out after the request was written, the
	// vendor answered 5xx, or its 2xx answer was cut short or malformed.
	// Look the result up (a grant by its key) before trying again. It also
	// matches ErrUnavailable.
	ErrOutcomeUnknown error = &alsoError{msg: "access: outcome unknown", also: ErrUnavailable}
	// ErrDenied: the vendor answered and refused to open or grant.
	ErrDenied = errors.New("access: denied")
	// ErrUnsupported: the vendor does not offer this operation.
	ErrUnsupported = errors.New("access: unsupported by vendor")
	// ErrInvalid: the request is malformed; it was rejected before sending
	// or by the vendor's validation.
	ErrInvalid = errors.New("access: invalid request")
)

// alsoError is a sentinel that also matches a broader one.
type alsoError struct {
	msg  string
	also error
}

func (e *alsoError) Error() string        { return e.msg }
func (e *alsoError) Is(target error) bool { return target == e.also }

// InvalidError describes a request rejected before it was sent. It matches
// ErrInvalid.
type InvalidError struct {
	Field  string // the offending field, e.g. "Window.End"
	Reason string
}

func (e *InvalidError) Error() string {
	if e.Field == "" {
		return "access: invalid request: " + e.Reason
	}
	return "access: invalid " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns an *InvalidError for field.
func Invalid(field, reason string) error {
	return &InvalidError{Field: field, Reason: reason}
}
