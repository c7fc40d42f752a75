// Package unsent marks an error of a transport layer that proves its request
// never went out: the caller's context ended while the request waited (for a
// rate-limit slot, for a token). internal/rest reads the mark through the
// NotSent method, so such a failure is never reported as of unknown outcome
// and is not resent.
package unsent

// Error is the context's error for a request that was not sent. errors.Is
// matches the context's error through it.
type Error struct {
	Err error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// NotSent says the request did not go out.
func (e *Error) NotSent() bool { return true }
