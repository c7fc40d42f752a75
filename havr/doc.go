// Package havr is a complete client of the Havr smart-lock API: door locks,
// shared keys, lock groups, users and user groups, contacts, companies and
// employments, devices, do-not-disturb states, floor maps, lock logs, lock
// and offline-mode configurations, notifications, session logs, user
// preferences, synchronization, support and the OAuth endpoints (171
// documented operations).
//
// # Construction
//
// The Havr document publishes no host, so WithBaseURL is required. Give the
// credentials of the account that owns the locks:
//
//	c, err := havr.New(
//		havr.WithBaseURL("https://api.havr.example"),
//		havr.WithPassword("owner@example.com", password), // or WithClientCredentials
//		havr.WithTokenCallback(saveTokens),              // persist rotated tokens
//	)
//
// New makes no request. The client id defaults to ClientIDWebPlatform; mobile
// client ids also need WithDeviceUUID, as the API requires.
//
// # Tokens
//
// Havr's tokens carry no lifetime: the client learns that an access token
// expired from a 401, then exchanges the refresh token for a new pair and
// resends the request. When the lifetime is known, WithTokenLifetime lets the
// client renew tokens shortly before they expire instead. Refresh tokens are
// single-use, so only one refresh runs at a time whatever the number of
// goroutines, a refresh token is sent at most once (never resent by the
// retry layer), and the new pair is reported through WithTokenCallback.
// When a refresh fails in any way but a failure to connect, the client falls
// back once to the password or client credentials grant, and otherwise
// returns an error matching access.ErrUnauthorized. A caller waiting for a
// token returns when its context ends; the fetch itself is bounded by
// WithTokenTimeout.
//
// WithRateLimit paces every attempt, token requests and retries included.
//
// # Requests
//
// Bodies are wrapped in their resource key ({"door_lock": {...}}) or sent
// bare exactly as documented; ids are integers (ID); times are sent in UTC
// without milliseconds and read with or without them (Time). Documented rules
// are checked before anything is sent: descriptions of at most 40
// characters, end after start, a recurrency that fits its period (start_date
// to end_date is one occurrence, repeated every day, week, month or year),
// password rules and FR/UK phone formats for new users. Update requests use
// pointer fields so that false and 0 can be sent; see Ptr.
//
// # Errors
//
// Every error a call returns says what happened, tested with errors.Is:
//
//   - access.ErrInvalid: the request was refused before anything was sent
//     (a missing field, an email that is not one bare address, a time
//     outside the years 1 to 9999; in the access methods a door, grant or
//     user id that is not a positive decimal number written as Havr writes
//     it).
//   - access.ErrUnavailable: nothing reached Havr (the dial was refused, the
//     name did not resolve, the TLS handshake failed), or a request that may
//     be resent failed on the way. Trying again later is safe.
//   - access.ErrOutcomeUnknown, which also matches access.ErrUnavailable: a
//     request that must not be resent (a create, an update, a K-token
//     request) may have reached Havr and its result is unknown: the
//     connection was reset or timed out after the request was written, Havr
//     answered 5xx, or a 2xx body was cut short, malformed or too large.
//     Look the result up before trying again, as access.EnsureGrant does.
//   - the context's own error (context.Canceled, context.DeadlineExceeded)
//     when ctx ended first; if the request may have gone out and must not be
//     resent, the error matches access.ErrOutcomeUnknown too.
//   - an *Error for any other answer, with the status, Havr's error,
//     error_code and details, the request id and up to 1 MiB of the body. A
//     401 is access.ErrUnauthorized whatever error_code says (a wrong
//     password is invalid_credentials); a 403 is always access.ErrForbidden,
//     and also what its code says, as Havr answers 403 for conflicts and
//     validation errors too; otherwise error_code decides where there is one
//     (door_lock_does_not_exist is access.ErrNotFound) and the status where
//     there is none. The *Error of a 5xx to a request that must not be resent
//     is wrapped to match ErrOutcomeUnknown; errors.As still finds it.
//
// A redirect is followed only for a request that may be resent, to the base
// URL's own scheme, host and port, with its method kept, at most 3 times.
// Any other redirect is returned as an error of the classes above, so
// credentials (the bearer token, a password, a refresh token) never go to
// another origin and a redirected create is never turned into a GET. URLs in
// errors lose their user info and every query value, so a one-time token
// (verify_email?token=...) never reaches an error string.
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
// GET, PUT and DELETE, and POSTs that only read, are retried on connection
// errors and 429/502/503/504. Creates, updates, K-token requests and other
// POSTs and PATCHes are not resent once they may have reached Havr (only
// after a failed dial, or a 429 or 503 with Retry-After, which says Havr did
// not act), and neither are GETs that spend a one-time token. Backoff is
// exponential with jitter; Retry-After (seconds or an HTTP date) is
// honoured up to WithMaxRetryAfter (30 s) and gets jitter too, so clients
// told to come back at the same moment do not all return together. A longer
// Retry-After is returned as an *Error with RetryAfter set. See WithRetry.
//
// # Logging
//
// WithLogger logs each HTTP attempt at debug level: method, path (never the
// query), status, duration and the request id. WithLogBodies adds headers,
// the query and JSON or form bodies, with secrets (passwords, tokens, PINs,
// the door-lock settings code) and personal data (emails, phone numbers)
// redacted. The types that hold secrets (Tokens, DoorLockSettingsCode,
// DoorLockFlashPayload, ...) print through fmt and log through log/slog with
// them as [redacted].
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
// *Client implements access.DoorLister (the door locks the user owns or
// administers) and access.Granter: a visitor with an email gets a shared key
// by link (POST /v1/shared_keys/create_with_link, emailed by Havr), a holder
// with a Havr user id gets an app key (POST /v1/shared_keys); RevokeGrant
// deletes the keys. Havr doors open from the phone with a K token, not from
// the API, so the client is not an access.DoorOpener.
//
// A member grant lists the member's keys before create_or_update (which
// would silently change a key the member holds) and takes the client's turn
// on each member and door while it does (WithLocker; share one Locker
// between replicas), so a second grant for the same member and door is
// access.ErrConflict. A grant over several doors that fails part-way deletes
// the keys it made, within RollbackGrace of the caller's context's end; a
// clean-up that cannot finish is a *RollbackError (access.ErrOutcomeUnknown)
// naming the keys left.
//
// The grant key and label go into the keys' note, "[key] label", whole: the
// document gives notes no length limit (its 40 characters are the door
// lock description's), so every key access.ValidateKey accepts, ']' and
// all (escaped in the note), is found again by ListGrants. Were Havr to
// keep a note cut short, the create's answer shows it and CreateGrant
// deletes what it made (access.ErrUnsupported) rather than leave a grant
// its key cannot find; havrtest.Server.SetNoteLimit plays such a server.
//
// The package havrtest serves an in-memory Havr for tests and examples.
package havr
