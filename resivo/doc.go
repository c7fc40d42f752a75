// Package resivo is a client of the resivo (dormakaba) access-control API
// at https://api.resivo.io, and an implementation of doorkit's access
// interfaces on top of it.
//
// # What is published, and what is inferred
//
// resivo's public record is thin: its Postman collection publishes only an
// introduction (base URL, versions, glossary, environment variables). The
// operations here are those a public client uses (CONFIRMED) plus two the
// documents imply (INFERRED): the Remote Access Authorization Set create
// (POST /:siteId/authorizations/remote-access, path and body reasoned by
// analogy with pin-access) and the user login's body and answer. Each
// method's doc comment says which; every route is one line of routes.go, so
// a correction is one edit. For everything else (site owners, apartments,
// contracts, persons, media, access groups and zones, digital keys) use the
// raw escape hatch, NewRequest and Do, rather than guessed methods.
//
// # Construction and auth
//
//	c, err := resivo.New(
//		resivo.WithClientCredentials(clientID, clientSecret), // a Site Owner's (all its sites) or one site's M2M client
//		resivo.WithSites(siteID),                             // the sites ListDoors covers
//	)
//	comps, _, err := c.Components.List(ctx, siteID, nil)
//
// New makes no request. The client obtains a token by OAuth 2.0 client
// credentials (POST /oauth2/token, form-encoded, through
// golang.org/x/oauth2/clientcredentials), keeps it until TokenMargin before
// it expires (AssumedTokenLifetime when the answer has no expires_in), and
// fetches one token at a time however many goroutines need it. A 401 makes
// it fetch a new token once and resend. Token requests go through the same
// transport stack as every call (WithHTTPClient, pacing, logging, the
// response-header bound, the User-Agent), only to the base URL's origin,
// and are never redirected. WithLogin authenticates as a user
// instead (POST /v8/users/login, inferred); WithTokens starts from a token
// kept earlier.
//
// # Versions
//
// resivo versions its API by URL prefix. Versioned routes (sites, login) use
// DefaultAPIVersion, "v8", or WithAPIVersion; the site-scoped routes the
// public client calls (/:siteId/components, /:siteId/authorizations/...)
// have no prefix.
//
// # Errors
//
// Every error a call returns says what happened, tested with errors.Is:
//
//   - access.ErrInvalid: the request was refused before anything was sent:
//     an id resivo does not hand out (resivo documents no format: ids are
//     ASCII letters, digits, '-', '_', '.' and '~'), a door or grant id of
//     the access methods on a site not given to WithSites, empty required
//     fields, validTo not after validFrom, recipients that are not one bare
//     email address or an E.164 number, a PIN that is not digits.
//   - access.ErrUnavailable: nothing reached resivo (the dial was refused,
//     the name did not resolve, the TLS handshake failed), no token could be
//     obtained for lack of a connection, or a request that may be resent
//     failed on the way. Trying again later is safe.
//   - access.ErrOutcomeUnknown, which also matches access.ErrUnavailable: a
//     create (POST) may have reached resivo and its result is unknown: the
//     connection was reset or timed out after the request was written,
//     resivo answered 5xx (but a 503 with Retry-After, which says resivo
//     did not act: that is an *Error matching ErrUnavailable), or a 2xx
//     body was cut short, malformed or too large. resivo may then hold an authorization the client cannot find:
//     resivo publishes no listing of authorizations, so a lost create cannot
//     be looked up by its key. This is a known gap. CreateGrant therefore
//     leaves the grant's key pending in the KeyStore, and every later
//     EnsureGrant, CreateGrant or lookup for that key fails with a
//     *PendingKeyError (matching ErrOutcomeUnknown) instead of creating a
//     second authorization, until someone finds the authorization named
//     "[key] ..." in the resivo portal and records it, or its absence, with
//     ResolveKey. See "Grant keys and lost answers".
//   - the context's own error (context.Canceled, context.DeadlineExceeded)
//     when ctx ended first; if a create may have gone out, the error matches
//     access.ErrOutcomeUnknown too, and the key stays pending as above.
//   - an *Error for any other answer, with the status, resivo's "message"
//     (and "code" when present), the request id and up to 1 MiB of the
//     body. It matches one access sentinel by status: 401 ErrUnauthorized
//     and 403 ErrForbidden whatever the body says (a refused client secret
//     is ErrUnauthorized), 404 and 410 ErrNotFound, 409 ErrConflict, 400 and
//     422 ErrInvalid, 429 ErrRateLimited, 502-504 ErrUnavailable. resivo
//     publishes no error codes, so the code is kept, not interpreted. The
//     *Error of a 5xx to a create is wrapped to match ErrOutcomeUnknown
//     (a 503 with Retry-After is not); errors.As still finds it.
//
// A redirect is followed only for a request that may be resent, to the base
// URL's own scheme, host and port; any other is returned as an error, so
// the bearer token and the client secret never go to another origin and a
// redirected create is never turned into a GET. Token requests are never
// redirected. URLs in errors lose their user info and query values.
//
// # Bounds
//
// A 2xx body is read up to 32 MiB (WithMaxResponseBody); past that the call
// fails and reading stops. Each attempt, token requests included, waits at
// most 30 s for its response headers (WithResponseHeaderTimeout) and then
// at most 60 s for the rest of its body (WithResponseBodyTimeout), over a
// WithHTTPClient transport too. A token fetch runs on its own context,
// bounded by WithTokenTimeout (30 s): a caller waiting for it returns when
// its own context ends while the fetch goes on for the others. The
// context's deadline bounds the whole call, retries and waits included.
//
// # Retries
//
// GET and DELETE (revocation) are retried on connection errors and
// 429/502/503/504. Creates (POST) are not resent once they may have reached
// resivo, only after a failed dial or a 429 or 503 with Retry-After, which
// say resivo did not act: the only public client retries every method, so
// one lost answer makes two authorizations; doorkit does not. The user
// login is resent like a GET (a second login costs nothing). Backoff is
// exponential with jitter; Retry-After (seconds or an HTTP date) is
// honoured up to WithMaxRetryAfter (30 s) and gets jitter too; a longer one
// is returned as an *Error with RetryAfter set. See WithRetry.
// WithRateLimit paces every attempt, token requests and retries included;
// resivo publishes no limit.
//
// # Logging
//
// WithLogger logs each HTTP attempt, token requests included, at debug
// level: method, path (never the query), status, duration and the request
// id. WithLogBodies adds headers, the query and JSON or form bodies, with
// secrets (the client secret, passwords, tokens, PIN codes) and personal
// data (emails, phone numbers) redacted. The types that hold secrets
// (Tokens, LoginRequest, LoginResponse, PinCode, PinAccessRequest) print
// through fmt and log through log/slog with them as [redacted]; Tokens and
// LoginResponse also encode to JSON redacted (store tokens with Reveal).
//
// # Times
//
// Validity windows are sent in UTC with a Z suffix and milliseconds (Time),
// whatever the time zone of the program, and read with or without fractional
// seconds.
//
// # Doors and grants
//
// *Client implements access.DoorLister, access.Granter, access.GrantGetter
// and access.GrantLister (not access.DoorOpener: the public API has no
// remote open; not access.GrantUpdater: resivo has no window change, so
// access.EnsureGrant revokes and re-creates a moved booking). Doors are the
// components of the sites given to WithSites; a door id is
// "siteId/componentId", and a door or grant id on another site is
// access.ErrInvalid. Component ids change when a site is migrated while
// display names, unique per site, stay: resolve names with
// access.ResolveDoorIDs on every booking rather than storing ids.
//
// A visitor grant is a Remote Access Authorization Set: resivo emails or
// texts the visitor a door link, in the site's defaultLocale (SiteLocale);
// the link is not returned, so the grant's credential says whom resivo sent
// it to and holds no secret. resivo takes SMS numbers only as E.164 mobile
// numbers (phone.NormalizeSMS): 00... becomes +..., spaces go, and a number
// without a country code or a landline is dropped with an
// access.NoticeSMSDropped notice while the email and the access go ahead. A
// PIN grant (access.CredentialPIN) is a PIN-code access. A grant id is
// "siteId/authorizationId"; each door's state follows the authorization's
// status and credentials (GetGrant); a status doorkit does not know keeps
// the doors pending with the status in the reason, never failed, so that
// EnsureGrant does not re-make the grant (and resivo email the visitor) on
// every trigger. RevokeGrant reads the authorization first and revokes only
// what is still live; a revoke answered 409 is done only when the
// authorization, read again, is no longer live (the resend of a revoke
// whose answer was lost is answered 409), else it is access.ErrConflict.
//
// # Grant keys and lost answers
//
// resivo cannot list authorizations, so a grant's key (the booking id) is
// kept in a KeyStore (WithKeyStore; NewKeyStore by default, one process
// long) and written into the authorization's displayName as "[key] label",
// where the resivo portal and GetGrant show it back. The store is kept
// by access.CreateWithKeyStore and read by access.LookupKey, as for any
// vendor that records keys there. Before a create is sent its key is
// marked pending (with the time it was sent, PendingKeyError.Since); when the answer is lost (or a 5xx other
// than a 503 with Retry-After, or a timeout), the error matches
// access.ErrOutcomeUnknown and the key stays pending: lookups of it fail
// with a *PendingKeyError, so access.EnsureGrant never makes a second
// authorization for the booking. Find the authorization named "[key] ..."
// in the resivo portal and record it, or its absence, with ResolveKey. Any
// other failure (resivo's refusal, a 429 or a 503 with Retry-After, a
// request never sent) removes the mark.
//
// The default store forgets every key when the process ends, and so cannot
// prove a key absent: after a restart, access.EnsureRevokedByKey of a key
// made by an earlier process answers access.ErrKeyUnknown (revoke by the
// grant id you stored instead) rather than nil while the authorization
// lives on, and access.EnsureGrant of such a key creates a second
// authorization (a second email). A durable store (redisstore, or your
// database through access.KeyStore) prevents both.
//
// # Your own transport
//
// WithHTTPClient lends the client its Transport and Timeout only, for API
// and token requests alike. The default transport keeps 100 idle
// connections per host; give yours a pool sized for your concurrency
// (http.Transport.MaxIdleConnsPerHost, which is 2 unless set, so a burst
// from 50 goroutines reopens most of its TLS connections) and the TLS
// configuration your server needs (RootCAs, as WithRootCAs would set; the
// two options exclude each other). Its Timeout bounds each attempt, retries
// come on top; WithResponseHeaderTimeout applies over it too. Redirects are
// governed by doorkit whatever its CheckRedirect says, and its Jar is not
// used.
//
// The package resivotest is an in-memory resivo for tests and examples.
package resivo
