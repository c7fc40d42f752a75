// Package primis is a complete client of the Primis Mobile API, the REST
// interface of the on-premises Primis access control system.
//
// # Construction
//
// Primis runs on premises at https://<ip address>:<port>; the base URL is
// required and TLS stays verified (give a private CA with WithCACertPEM or
// WithRootCAs). The client registers as a mobile device: keep its phone id
// stable, because each new id takes one of the server's mobile licences.
//
//	c, err := primis.New(
//		primis.WithBaseURL("https://10.0.0.5:8443"),
//		primis.WithCredentials("ada@example.com", password),
//		primis.WithPhoneID(deviceID),
//	)
//
// New makes no request. The first call logs in with Basic authentication
// (POST /api/mobile/login) and later calls send the JWT as a Bearer token.
//
// # Tokens
//
// The client renews the access token with the refresh token shortly before
// its exp claim passes (10 s before, or half the token's lifetime for a
// short-lived one, measured as exp - iat so a server clock that is off does
// not matter), or after a 401, once for all goroutines; when the refresh
// token is rejected it logs in again once with the stored credentials, and
// otherwise returns an error matching access.ErrUnauthorized. WithTokens and
// WithTokenCallback let a program keep its tokens across restarts. Tokens,
// Session and Renewal print and log their tokens as [redacted].
//
// Deregistration and password change use Basic authentication when
// credentials are set and the refresh token otherwise, as the document
// says. After Auth.Deregister every call returns ErrDeregistered (which
// matches access.ErrUnauthorized) until Auth.Login registers the device
// again, so no licence is taken behind the caller's back.
//
// # Services
//
// Client.Auth (login, renewal, deregistration, password), ControlledAreas
// (doors: list, state, momentary unlock), AccessGroups, Schedules, Beacons
// and Geolocation cover every operation of the Mobile API document.
// Administrator and user variants are separate methods (AdminList versus
// List, AdminUnlock versus Unlock); a non-administrator calling an Admin
// method gets the server's error.
//
// # Errors and results
//
// Every error a call returns says what happened, tested with errors.Is:
//
//   - access.ErrInvalid: the request was refused before anything was sent
//     (a missing field; an id other than ASCII letters, digits, '-', '_',
//     '.' and '~', or longer than MaxIDLength; a phone id with spaces,
//     non-ASCII or path characters).
//   - access.ErrUnavailable: nothing reached the server (the dial was
//     refused, the TLS handshake failed), or a request that may be resent
//     failed on the way. Trying again later is safe.
//   - access.ErrOutcomeUnknown, which also matches access.ErrUnavailable: a
//     request that must not be resent (an unlock, a zone state change, a
//     login, which registers the device) may have reached the server and its
//     result is unknown: the
//     connection was reset or timed out after the request was written, the
//     server answered 5xx, or a 2xx body was cut short, malformed or too
//     large. Check the door or the result before trying again.
//   - the context's own error (context.Canceled, context.DeadlineExceeded)
//     when ctx ended first; if the request may have gone out and must not be
//     resent, the error matches access.ErrOutcomeUnknown too.
//   - an *Error for any other answer, with the status, the body's message,
//     the request id and up to 1 MiB of the body. 401 is
//     access.ErrUnauthorized and 403 access.ErrForbidden whatever the message
//     says; 404 is ErrNotFound, 400 ErrInvalid (the licence limit on
//     registration ErrForbidden), 429 ErrRateLimited, 501 ErrUnsupported,
//     other 5xx ErrUnavailable. The *Error of a 5xx to a request that must
//     not be resent is wrapped to match ErrOutcomeUnknown; errors.As still
//     finds it.
//
// A refusal that Primis reports in a successful answer is a result, not an
// error: CommandResult.Granted and GeolocationResult.Granted say whether
// access was given (a denied geolocation request is HTTP 201 with result
// "denied"). At the access level, OpenDoor turns a refusal into a
// *DeniedError matching access.ErrDenied.
//
// A redirect is followed only for a request that may be resent, to the base
// URL's own scheme, host and port, with its method kept, at most 3 times.
// Any other redirect is returned as an error of the classes above, so
// credentials (the Basic login, the JWT, the refresh token) never go to
// another origin and a redirected unlock is never turned into a GET. URLs
// in errors lose their user info and every query value.
//
// # Bounds
//
// A 2xx body is read up to 32 MiB (WithMaxResponseBody); past that the call
// fails with an error of the classes above and reading stops. Each attempt
// waits at most 30 s for its response headers (WithResponseHeaderTimeout)
// and then at most 60 s for the rest of its body (WithResponseBodyTimeout),
// over a WithHTTPClient transport too; such a timeout is retried like any
// other when the request may be resent. The context's deadline bounds the
// whole call, retries and waits included. The default transport keeps up to
// 100 idle connections per host.
//
// # Retries
//
// GET and DELETE are retried on connection errors and 429/502/503/504;
// unlocks and other POSTs only when nothing reached the server (a failed
// dial) or it answered 429 or 503 with Retry-After, which says it did not
// act. Backoff is exponential with jitter; Retry-After (seconds or an HTTP
// date) is honoured up to WithMaxRetryAfter (30 s) and gets jitter too, so
// clients told to come back at the same moment do not all return together.
// A longer Retry-After is returned as an *Error with RetryAfter set. See
// WithRetry.
//
// # Logging
//
// WithLogger logs each HTTP attempt at debug level: method, path (never the
// query), status, duration and the request id. WithLogBodies adds headers,
// the query and JSON or form bodies, with secrets (passwords, tokens, PINs)
// and personal data (emails, phone numbers) redacted. Tokens, Session and
// Renewal print and log their tokens as [redacted], and encode them so
// through encoding/json as well.
//
// # Your own transport
//
// WithHTTPClient lends the client its Transport and Timeout only. The
// default transport keeps 100 idle connections per host; give yours a pool
// sized for your concurrency (http.Transport.MaxIdleConnsPerHost, which
// is 2 unless set, so a burst from 50 goroutines reopens most of its TLS
// connections) and the TLS configuration your server needs (RootCAs, as
// WithRootCAs would set). Its Timeout bounds each attempt, retries come on
// top; WithResponseHeaderTimeout (default 30 s) applies over it too.
// Redirects are governed by doorkit whatever its CheckRedirect says:
// credentials go only to the base URL's scheme, host and port, redirects
// elsewhere are refused, and a redirect of a request that must not be
// resent is returned as an error, never followed. Its Jar is not used.
//
// # access
//
// *Client implements access.DoorLister (the user's controlled areas) and
// access.DoorOpener (momentary unlock for WithOpenDuration). The Mobile API
// cannot grant access to another person, so it is not an access.Granter.
//
// The package primistest serves an in-memory Primis for tests and examples.
package primis
