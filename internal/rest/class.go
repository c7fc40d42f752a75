package rest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"

	"github.com/doorkit/doorkit/access"
)

// RequestError is an error from a request that got no usable answer: the
// transport failed, the server redirected, or a 2xx body was too large or
// could not be decoded. Its URL is redacted (no user info, every query value
// replaced), so one-time tokens in a query never reach an error string,
// and the query's values and the secrets the request sent are scrubbed
// from Err's message (a transport may quote the URL, a vendor's decoder the
// answer). It prints its message under every fmt verb; %#v shows its
// fields with Err as that message.
//
// It matches Class with errors.Is: access.ErrUnavailable when nothing reached
// the vendor or the call may be resent, access.ErrOutcomeUnknown (which also
// matches access.ErrUnavailable) when a call that must not be resent may have
// reached the vendor. Class is nil when the caller's context ended before
// anything was sent; the context's error is always reachable through Err.
type RequestError struct {
	Method string
	URL    string // redacted, see RedactQuery
	Status int    // the answer's status, 0 when there was none
	Class  error
	Err    error

	// secrets are the query's values and the secret values the request
	// sent, scrubbed from Err's message.
	secrets []access.Secret
}

func (e *RequestError) Error() string {
	msg := e.Method + " " + e.URL + ": " + e.errMessage()
	if errors.Is(e.Class, access.ErrOutcomeUnknown) {
		msg += " (outcome unknown: the request may have reached the server)"
	}
	return msg
}

// errMessage is Err's message without the secrets.
func (e *RequestError) errMessage() string {
	if e.Err == nil {
		return "<nil>"
	}
	values := make([]string, len(e.secrets))
	for i, s := range e.secrets {
		values[i] = s.Reveal()
	}
	return scrubText(e.Err.Error(), values)
}

// Format prints the error's message for every verb but %#v, which shows
// the fields with Err as its scrubbed message: fmt's own %#v would print
// the secrets kept to scrub it.
func (e RequestError) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = fmt.Fprintf(f, "&rest.RequestError{Method:%q, URL:%q, Status:%d, Class:%#v, Err:%q}",
			e.Method, e.URL, e.Status, e.Class, e.errMessage())
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), e.Error())
}

func (e *RequestError) Unwrap() error { return e.Err }

// Is matches the error's class.
func (e *RequestError) Is(target error) bool {
	return e.Class != nil && (target == e.Class || errors.Is(e.Class, target))
}

// OutcomeUnknownError wraps the vendor's error for a 5xx answer to a call
// that must not be resent: the vendor may have acted before failing. It
// matches access.ErrOutcomeUnknown (and so access.ErrUnavailable); errors.As
// still finds the vendor's error through Unwrap.
type OutcomeUnknownError struct {
	Err error
}

func (e *OutcomeUnknownError) Error() string {
	return e.Err.Error() + " (outcome unknown: the request may have been carried out)"
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Is matches access.ErrOutcomeUnknown and access.ErrUnavailable.
func (e *OutcomeUnknownError) Is(target error) bool {
	return target == access.ErrOutcomeUnknown || target == access.ErrUnavailable
}

// LocalError is a request refused before anything was sent: a bad path
// parameter, query or body. It matches access.ErrInvalid.
type LocalError struct {
	Err error
}

func (e *LocalError) Error() string { return e.Err.Error() }
func (e *LocalError) Unwrap() error { return e.Err }

// Is matches access.ErrInvalid.
func (e *LocalError) Is(target error) bool { return target == access.ErrInvalid }

func local(err error) error {
	if err == nil || errors.Is(err, access.ErrInvalid) {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = fmt.Errorf("%s: %w", ue.Op, ue.Err) // its URL may hold a query
	}
	return &LocalError{Err: err}
}

// errorSecrets lists what is scrubbed from the messages of req's errors:
// the secret values it sent (sentSecrets), and every value of its query
// worth scrubbing (a transport's error, httpmock's "no responder found for
// GET <url>", may quote the URL; a query may carry a one-time token under
// any name; the short values, page=2, would only mangle the message).
func errorSecrets(req *http.Request, fields []string) []access.Secret {
	values := sentSecrets(req, fields)
	if req.URL != nil && req.URL.RawQuery != "" {
		q, _ := url.ParseQuery(req.URL.RawQuery)
		for _, vs := range q {
			for _, v := range vs {
				if len(v) >= minScrubbed && !slices.Contains(values, v) {
					values = append(values, v)
				}
			}
		}
	}
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	out := make([]access.Secret, len(values))
	for i, v := range values {
		out[i] = access.Secret(v)
	}
	return out
}

// MatchSentinel is the precedence rule every vendor error type applies in
// its Is method, given the sentinel for the vendor's code (byCode, nil when
// the code means nothing known):
//   - HTTP 401 is ErrUnauthorized and nothing else, whatever the code: a
//     wrong password answered 401 with a code named invalid_* is a refused
//     credential, not a malformed request;
//   - HTTP 403 is always ErrForbidden, and also byCode, because vendors
//     (Havr) answer 403 for conflicts and validation failures too;
//   - otherwise byCode wins over the status's sentinel.
func MatchSentinel(target error, status int, byCode error) bool {
	if target == nil {
		return false
	}
	switch status {
	case http.StatusUnauthorized:
		return target == access.ErrUnauthorized
	case http.StatusForbidden:
		return target == access.ErrForbidden || target == byCode
	}
	if byCode != nil {
		return target == byCode
	}
	return target == StatusSentinel(status)
}

// classOf is the class of a failure after the request may have reached the
// server.
func classOf(idempotent bool) error {
	if idempotent {
		return access.ErrUnavailable
	}
	return access.ErrOutcomeUnknown
}

// transportError turns the error of a send that got no answer into a
// *RequestError with a redacted URL and its class.
func transportError(ctx context.Context, req *http.Request, st *attemptState, err error, fields []string) error {
	cause := err
	for {
		// Only the layers http.Client put on top: a *url.Error deeper
		// down belongs to another layer's error (the token request inside
		// an *auth.TokenError), which must stay whole.
		ue, ok := cause.(*url.Error)
		if !ok {
			break
		}
		cause = ue.Err // its message holds the URL, query included
	}
	if already(cause) {
		// An error of a layer above the network that has its own
		// class: a token the auth transport could not obtain.
		return &RequestError{Method: req.Method, URL: RedactQuery(shownURL(req)), Err: cause, secrets: errorSecrets(req, fields)}
	}
	idempotent := isIdempotent(ctx)
	notSent := notSentError(cause) || st.provedNotWritten() || st.provedDeclined() || provedNotSent(cause)
	var class error
	switch {
	case ctx.Err() != nil:
		// The caller gave up; the context's error stays reachable. A call
		// that may have gone out is still of unknown outcome.
		if !notSent && !idempotent {
			class = access.ErrOutcomeUnknown
		}
	case notSent:
		class = access.ErrUnavailable
	default:
		class = classOf(idempotent)
	}
	return &RequestError{Method: req.Method, URL: RedactQuery(shownURL(req)), Class: class, Err: cause, secrets: errorSecrets(req, fields)}
}

// already reports an error that carries its own access class.
func already(err error) bool {
	for _, s := range []error{access.ErrUnauthorized, access.ErrForbidden, access.ErrInvalid, access.ErrNotFound,
		access.ErrRateLimited, access.ErrUnavailable, access.ErrConflict, access.ErrDenied, access.ErrUnsupported} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// notSentError reports failures that happen before a request is written:
// dialling, name resolution, the TLS handshake, a bad URL.
func notSentError(err error) bool {
	var (
		dnsErr     *net.DNSError
		verifyErr  *tls.CertificateVerificationError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
	)
	return isDialError(err) || errors.As(err, &dnsErr) || errors.As(err, &verifyErr) ||
		errors.As(err, &recordErr) || errors.As(err, &alertErr) || errors.As(err, &unknownCA) ||
		errors.As(err, &hostErr) || errors.As(err, &invalidErr)
}

// decodeFailure wraps a failure to read or decode a 2xx answer.
func decodeFailure(req *http.Request, resp *http.Response, err error, fields []string) error {
	return &RequestError{
		Method: req.Method, URL: RedactQuery(shownURL(req)), Status: resp.StatusCode,
		Class: classOf(isIdempotent(req.Context())),
		Err:   fmt.Errorf("decode response (%s): %w", resp.Status, err), secrets: errorSecrets(req, fields),
	}
}

// StatusError is the error for a non-2xx answer of a Client given no
// DecodeError. It matches the status's sentinel.
type StatusError struct {
	Method     string
	Path       string
	StatusCode int
	Status     string
}

func (e *StatusError) Error() string { return e.Method + " " + e.Path + ": " + e.Status }

// Is matches the sentinel for the status (see MatchSentinel).
func (e *StatusError) Is(target error) bool { return MatchSentinel(target, e.StatusCode, nil) }
